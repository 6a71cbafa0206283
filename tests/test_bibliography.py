"""The bibliography: every entry of references.bib is cited in the book, every citation resolves.

Citations are read from the book's sources as an author writes them: the markdown cells of
chapters/*.ipynb, chapters/*.md and intro.md, looking for the sphinxcontrib-bibtex roles
{cite}, {cite:p}, {cite:t} (and their variants such as {cite:ps}), each with one or more
comma-separated keys. The bibliography page itself (chapters/a3_bibliography.md) may cite
works in its note on the paper's reference list, but those citations do not count as the
book citing a work: every work must be cited where the paper cites it, in a chapter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file, parse_string

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "references.bib"
BIBLIOGRAPHY_PAGE = "chapters/a3_bibliography.md"

#: The 35 works of the paper's reference list, keyed as the book cites them.
PAPER_LIST = """
bacchi2016 brimkulovbaryktabasov2018 denhardt2009 eckstein1975 evanscampos2013 freedomhouse2019
gareyeva2017 harrison2012 hill2013 ibp2017 janenovakim2016 janenovaknox2018 janssen2012 jetzek2013
kassen2017 kasymova2017 kneuerharnisch2016 knox2019 knoxyessimova2015 knoxjanenova2018 leekwak2012
maerz2016 maltsevajanenova2019 marat2016 matland1995 moldabekov2016 mosunov2017 nam2012 oecd2016
oecd2017 omirgazy2017 peterspierre2004 peters2018 vanmetervanhorn1975 wirtzbirkmeyer2015
""".split()
#: Cited in the paper's text but missing from its list; and the paper itself.
SUPPLIED = ["meijer2012", "worldbank2018", "oconnor2019"]
#: The official datasets of data/ in the editions the book uses (the paper cites only the
#: editions of its time): Freedom House 2013-2025, the UN E-Government Surveys, WGI 2024, the
#: Open Budget Survey 2006-2023 as World Bank Data360 republishes it, and the survey's reports.
DATASETS = ["fh_fiw_2013_2025", "undesa_egov_surveys", "wb_wgi_2024", "ibp_obs_data360", "ibp_obs_reports"]
#: Works the book's own chapters cite beyond the paper: the methods of the robustness
#: chapters, and GIFT's note on the redesign of the survey's participation questions in 2017.
BOOK_WORKS = ["simonsohn2020", "steegen2016", "gift_obs2017_participation"]
#: Entries whose year could not be checked: they give none (the citation reads "n.d.") and
#: their note says so.
UNDATED = ["gift_obs2017_participation"]

_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")


def citations_in_text(text: str) -> list[str]:
    """The citation keys of every {cite...}`k1, k2` role in a markdown text, in order."""
    keys = []
    for match in _ROLE.finditer(text):
        keys += [k.strip() for k in match.group(1).split(",") if k.strip()]
    return keys


def markdown_of(path: Path) -> str:
    """The markdown an author wrote in a source file: a .md file, or a notebook's markdown cells."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
        return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
    return path.read_text(encoding="utf-8")


def source_files(root: Path = ROOT) -> list[Path]:
    return [root / "intro.md", *sorted((root / "chapters").glob("*.md")), *sorted((root / "chapters").glob("*.ipynb"))]


def citations(root: Path = ROOT) -> dict[str, list[str]]:
    """Cited key -> the source files (relative paths) that cite it."""
    found: dict[str, list[str]] = {}
    for path in source_files(root):
        if not path.exists():
            continue
        rel = path.relative_to(root).as_posix()
        for key in citations_in_text(markdown_of(path)):
            found.setdefault(key, [])
            if rel not in found[key]:
                found[key].append(rel)
    return found


# --------------------------------------------------------------------------- the parser itself


def test_parser_reads_every_role_and_every_key():
    text = (
        "As {cite:t}`knox2019` argues, and others agree {cite:p}`kassen2017,knoxjanenova2018`; "
        "see {cite}`nam2012` and {cite:ps}`harrison2012, janssen2012 ,leekwak2012`."
    )
    assert citations_in_text(text) == [
        "knox2019",
        "kassen2017",
        "knoxjanenova2018",
        "nam2012",
        "harrison2012",
        "janssen2012",
        "leekwak2012",
    ]


def test_parser_ignores_other_roles_and_code_cells(tmp_path):
    assert citations_in_text("{ref}`ch-intro` {numref}`tbl-table-1` {glue:text}`n_rows` `cite`") == []
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["(ch-x)=\n", "# T\n", "{cite:t}`nam2012`"]},
            {"cell_type": "code", "metadata": {}, "source": "x = '{cite:p}`bacchi2016`'", "outputs": []},
        ]
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert citations_in_text(markdown_of(path)) == ["nam2012"]


# --------------------------------------------------------------------------- references.bib


def test_references_bib_parses_without_duplicate_keys():
    text = BIB.read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", text, re.M)
    assert len(keys) == len(set(keys)), f"duplicate keys: {sorted(k for k in keys if keys.count(k) > 1)}"
    assert set(parse_string(text, "bibtex").entries) == set(keys)


def test_references_bib_holds_the_papers_list_and_the_supplied_works():
    keys = set(parse_file(BIB).entries)
    assert len(PAPER_LIST) == 35
    expected = set(PAPER_LIST) | set(SUPPLIED) | set(DATASETS) | set(BOOK_WORKS)
    assert keys == expected, f"missing {expected - keys}, extra {keys - expected}"


def test_every_entry_has_author_title_year_and_well_formed_doi():
    for key, entry in parse_file(BIB).entries.items():
        assert entry.persons.get("author"), f"{key}: no author"
        assert entry.fields.get("title"), f"{key}: no title"
        if key in UNDATED:
            assert "year" not in entry.fields, f"{key}: listed as undated but gives a year"
            assert "could not be checked" in entry.fields.get("note", ""), (
                f"{key}: no year, and its note does not say why"
            )
        else:
            assert re.fullmatch(r"\d{4}", entry.fields.get("year", "")), f"{key}: year {entry.fields.get('year')!r}"
        doi = entry.fields.get("doi")
        if doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", doi), f"{key}: malformed DOI {doi!r} (no resolver prefix)"


def test_eckstein_is_given_as_published_with_the_papers_wording_in_its_note():
    entry = parse_file(BIB).entries["eckstein1975"]
    assert entry.fields["booktitle"] == "Handbook of Political Science, Volume 7: Strategies of Inquiry"
    assert entry.fields["pages"].startswith("79--"), f"the chapter starts on p. 79, not {entry.fields['pages']}"
    note = entry.fields["note"]
    for said in ("Case Studies and Theory", "Political Science: Scope and Theory", "94--137"):
        assert said in note, f"eckstein1975's note does not record the paper's {said!r}"


@pytest.mark.parametrize(
    "key, url, dates",
    [
        ("fh_fiw_2013_2025", "https://freedomhouse.org/report/freedom-world", ["2026-11-28", "2026-11-30"]),
        (
            "undesa_egov_surveys",
            "https://publicadministration.un.org/egovkb/en-us/Data-Center",
            ["2026-11-28", "2026-11-30"],
        ),
        ("wb_wgi_2024", "https://www.worldbank.org/en/publication/worldwide-governance-indicators", ["2026-11-28"]),
        ("ibp_obs_data360", "https://data360.worldbank.org/en/dataset/IBP_OBS", ["2026-11-28"]),
    ],
)
def test_dataset_entries_give_the_address_and_the_dates_the_tables_were_handed_over(key, url, dates):
    entry = parse_file(BIB).entries[key]
    assert entry.fields.get("url") == url, f"{key}: url {entry.fields.get('url')!r}, expected {url!r}"
    found = re.findall(r"\d{4}-\d{2}-\d{2}", entry.fields.get("note", ""))
    assert sorted(set(found)) == dates, f"{key}: dates {found} in its note, expected {dates}"


# --------------------------------------------------------------------------- the book's citations


def test_every_citation_resolves():
    keys = set(parse_file(BIB).entries)
    unresolved = {k: files for k, files in citations().items() if k not in keys}
    assert not unresolved, f"citation keys not in references.bib: {unresolved}"


def test_every_entry_is_cited_in_a_chapter():
    cited = {k for k, files in citations().items() if any(f != BIBLIOGRAPHY_PAGE for f in files)}
    uncited = sorted(set(parse_file(BIB).entries) - cited)
    assert not uncited, f"bibliography entries never cited in the book's chapters: {uncited}"


@pytest.mark.parametrize("page", [BIBLIOGRAPHY_PAGE])
def test_bibliography_page_has_the_bibliography_directive(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert text.startswith("(ch-bibliography)=")
    assert re.search(r"^```\{bibliography\}", text, re.M)


def test_the_data360_entry_gives_the_date_it_was_retrieved_as_urldate():
    entry = parse_file(BIB).entries["ibp_obs_data360"]
    assert entry.fields.get("urldate") == "2026-11-28"
