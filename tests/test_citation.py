"""Citing the book: CITATION.cff against the CFF 1.2.0 schema, and the functions of
halfopen_book.citation that make each page's BibTeX, formatted reference and meta tags.

The schema file tests/cff-schema-1.2.0.json is the official CFF 1.2.0 JSON schema
($id https://citation-file-format.github.io/1.2.0/schema.json), as shipped by cffconvert 2.0.0.
These tests need no build; the built site's head and cite blocks are checked by the book and
browser tests.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
from pathlib import Path

import jsonschema
import latexcodec  # noqa: F401 - registers the "ulatex" codec that pybtex's writer encodes with
import pytest
import yaml
from pybtex.database import parse_file, parse_string

import halfopen
from halfopen_book import chapters, citation, sphinx_ext

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
CFF = citation.load_citation(ROOT / "CITATION.cff")


def cff_errors(data: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture()
def meta() -> dict:
    return citation.book_metadata(CFF, "https://example.org/book/")


# --------------------------------------------------------------------------- CITATION.cff


def test_citation_cff_is_valid_cff_1_2_0():
    assert SCHEMA["$id"].startswith("https://citation-file-format.github.io/1.2.0/")
    assert CFF["cff-version"] == "1.2.0"
    assert cff_errors(CFF) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("authors"),
        lambda d: d.pop("title"),
        lambda d: d.__setitem__("cff-version", "1.2"),
        lambda d: d.__setitem__("date-released", "28 November 2026"),
        lambda d: d.__setitem__("license", "MIT-or-whatever"),
        lambda d: d["preferred-citation"].__setitem__("doi", "https://doi.org/10.4000/irpp.325"),
        lambda d: d["preferred-citation"].pop("type"),
        lambda d: d.__setitem__("author", d["authors"]),  # misspelt key: no additional properties
        lambda d: d["authors"].append({"given-names": 3}),
    ],
    ids=[
        "no-authors",
        "no-title",
        "bad-version",
        "bad-date",
        "bad-license",
        "doi-as-url",
        "no-type",
        "typo-key",
        "bad-person",
    ],
)
def test_schema_rejects_a_broken_file(breakage):
    broken = copy.deepcopy(CFF)
    breakage(broken)
    assert cff_errors(broken), "the schema accepted a broken CITATION.cff"


def test_yaml_dates_are_cast_to_strings_before_validation(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8").replace('date-released: "', "date-released: ")
    text = re.sub(r"(date-released: \d{4}-\d{2}-\d{2})\"", r"\1", text)
    path = tmp_path / "CITATION.cff"
    path.write_text(text, encoding="utf-8")
    assert not isinstance(yaml.safe_load(text)["date-released"], str)  # YAML made it a date
    assert cff_errors(citation.load_citation(path)) == []


def test_book_version_is_the_package_version():
    assert str(CFF["version"]) == halfopen.__version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{halfopen.__version__}"' in pyproject


def test_book_metadata_names_licences_and_the_paper():
    # That the repository's own CITATION.cff names no address (the build writes it into the
    # staged copy) is tests/test_publish.py::test_the_repository_names_no_address_of_its_own.
    assert set(CFF["license"]) == {"MIT", "CC-BY-4.0"}
    paper = CFF["preferred-citation"]
    bib = parse_file(ROOT / "references.bib").entries
    key = citation.paper_key(paper)
    assert key == "oconnor2019" and key in bib
    assert paper["doi"] == bib[key].fields["doi"]
    assert paper["title"] == bib[key].fields["title"]
    assert f"{paper['start']}--{paper['end']}" == bib[key].fields["pages"]


def test_config_enables_the_extension_without_an_address():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "halfopen_book.sphinx_ext" in config["sphinx"]["extra_extensions"]
    assert config["html"]["baseurl"] == ""  # set for a build by $HALFOPEN_SITE_URL


# --------------------------------------------------------------------------- BibTeX


def test_chapter_bibtex_parses_and_carries_the_chapter_the_book_version_and_url(meta):
    text = citation.chapter_bibtex("Open government in Central Asia", "chapters/02_x", meta)
    entries = parse_string(text, "bibtex").entries
    assert list(entries) == [f"halfopen{CFF['date-released'][:4]}:02-x"]
    entry = next(iter(entries.values()))
    assert entry.type == "incollection"
    assert entry.fields["title"] == "Open government in Central Asia"
    assert entry.fields["booktitle"] == CFF["title"]
    assert entry.fields["year"] == CFF["date-released"][:4]
    assert entry.fields["version"] == CFF["version"]
    # pybtex's writer LaTeX-encodes every field, the URL's underscore included
    assert codecs.decode(entry.fields["url"], "ulatex") == "https://example.org/book/chapters/02_x.html"
    # the team is one corporate author, not split into first/last names
    (team,) = entry.persons["author"]
    assert team.first_names == [] and team.last_names == ["{" + CFF["authors"][0]["name"] + "}"]


def test_landing_page_is_cited_as_the_whole_book(meta):
    entry = next(iter(parse_string(citation.chapter_bibtex("Welcome", "intro", meta, True), "bibtex").entries.values()))
    assert entry.type == "book"
    assert entry.fields["title"] == CFF["title"]


@pytest.mark.parametrize("title", ["Costs & benefits: 100% {open}?", "Budget #1 ~ 50_50", "Ünïcødé “quotes”"])
def test_bibtex_of_any_title_parses_back_to_it(meta, title):
    entry = next(iter(parse_string(citation.chapter_bibtex(title, "chapters/x", meta), "bibtex").entries.values()))
    assert codecs.decode(entry.fields["title"], "ulatex") == title
    assert entry.fields["title"].count("{") - entry.fields["title"].count("\\{") == entry.fields["title"].count(
        "}"
    ) - entry.fields["title"].count("\\}")


def test_bibtex_keys_are_derived_from_page_names_and_unique():
    assert citation.bibtex_key("chapters/01_background", "2026") == "halfopen2026:01-background"
    assert citation.bibtex_key("intro", "2026") == "halfopen2026:intro"
    names = ["intro", *(f"chapters/{c.name}" for c in chapters.chapters()), "chapters/a3_bibliography"]
    keys = [citation.bibtex_key(n, "2026") for n in names]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9:-]+", k) for k in keys)


def test_paper_bibtex_parses_and_matches_references_bib():
    ours = next(iter(parse_string(citation.paper_bibtex(CFF["preferred-citation"]), "bibtex").entries.items()))
    ref = parse_file(ROOT / "references.bib").entries["oconnor2019"]
    assert ours[0] == "oconnor2019"
    for field in ("title", "journal", "volume", "number", "pages", "year", "doi"):
        assert ours[1].fields[field] == ref.fields[field], field
    assert [str(p) for p in ours[1].persons["author"]] == [str(p) for p in ref.persons["author"]]


# --------------------------------------------------------------------------- formatted references


def test_chapter_reference_names_chapter_book_version_date_and_url(meta):
    text = citation.chapter_reference_text("Case selection", "chapters/03_case_selection", meta)
    assert "“Case selection”" in text
    assert CFF["title"] in text
    assert f"version {CFF['version']}" in text
    assert citation.long_date(CFF["date-released"]) in text
    assert text.endswith("https://example.org/book/chapters/03_case_selection.html")


def test_paper_reference_in_author_year_style():
    text = citation.paper_reference_text(CFF["preferred-citation"])
    assert text == (
        "O'Connor, K., Janenova, S. & Knox, C. (2019). Open Government in Authoritarian Regimes. "
        "International Review of Public Policy, 1(1), 65–82. https://doi.org/10.4000/irpp.325"
    )


def test_long_date():
    assert citation.long_date("2026-01-05") == "5 January 2026"
    assert citation.long_date("2026") == "2026"


# --------------------------------------------------------------------------- meta tags


def test_meta_tags_of_a_chapter(meta):
    tags = citation.meta_tags("Freedom of the press", "chapters/08_freedom_of_the_press", meta)
    names = [n for n, _ in tags]
    d = dict(tags)
    assert d["citation_title"] == "Freedom of the press"
    assert [c for n, c in tags if n == "citation_author"] == [CFF["authors"][0]["name"]]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", d["citation_publication_date"])
    assert d["citation_inbook_title"] == d["citation_book_title"] == CFF["title"]
    assert d["citation_public_url"] == "https://example.org/book/chapters/08_freedom_of_the_press.html"
    assert "citation_doi=10.4000/irpp.325" in d["citation_reference"]
    assert "citation_doi" not in names  # the page is not the paper: its DOI is a reference, not the page's
    assert d["DC.relation"] == "https://doi.org/10.4000/irpp.325"


def test_one_citation_author_tag_per_author():
    cff = copy.deepcopy(CFF)
    cff["authors"] = [{"family-names": "Doe", "given-names": "Jane"}, {"name": "A Team"}]
    tags = citation.meta_tags("T", "chapters/t", citation.book_metadata(cff, "https://x.org/"))
    assert [c for n, c in tags if n == "citation_author"] == ["Doe, Jane", "A Team"]
    entry = next(
        iter(parse_string(citation.chapter_bibtex("T", "t", citation.book_metadata(cff)), "bibtex").entries.values())
    )
    assert [str(p) for p in entry.persons["author"]] == ["Doe, Jane", "{A Team}"]


def test_landing_page_meta_tags_describe_the_book(meta):
    d = dict(citation.meta_tags("Welcome", "intro", meta, whole_book=True))
    assert d["citation_title"] == CFF["title"]
    assert "citation_inbook_title" not in d


def test_meta_html_escapes_content():
    out = citation.meta_html([("citation_title", 'A "quoted" <b>title</b> & more')])
    assert out.strip() == (
        '<meta name="citation_title" content="A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt; &amp; more" />'
    )


def test_page_url():
    assert citation.page_url("https://x.org/b/", "chapters/01_a") == "https://x.org/b/chapters/01_a.html"
    assert citation.page_url("https://x.org/b", "intro") == "https://x.org/b/intro.html"


# --------------------------------------------------------------------------- author-year bibliography


def test_author_year_labels():
    assert citation.author_year_label(["Nam"], "2012") == "Nam 2012"
    assert citation.author_year_label(["Lee", "Kwak"], "2012") == "Lee and Kwak 2012"
    assert citation.author_year_label(["Janssen", "Charalabidis", "Zuiderwijk"], "2012") == "Janssen et al. 2012"
    assert citation.author_year_label(["{OECD}"], "2017") == "OECD 2017"
    assert citation.disambiguate(["A 1", "B 2", "A 1"]) == ["A 1a", "B 2", "A 1b"]


def test_bibliography_style_formats_every_reference_with_author_year_labels():
    from pybtex.plugin import find_plugin

    sphinx_ext.register_bibliography_style()
    style = find_plugin("pybtex.style.formatting", "halfopen_author_year")()
    bib = parse_file(ROOT / "references.bib").entries
    entries = list(style.format_entries(bib.values()))
    labels = {e.key: e.label for e in entries}
    assert len(entries) == len(bib) and len(set(labels.values())) == len(bib), "every entry, each label distinct"
    assert labels["oconnor2019"] == "O'Connor et al. 2019"
    assert labels["worldbank2018"] == "World Bank 2018"
    assert labels["knoxjanenova2018"] == "Knox and Janenova 2018"
    assert [e.key for e in entries][:2] == ["bacchi2016", "brimkulovbaryktabasov2018"]  # sorted by author
    for e in entries:
        assert e.text.render_as("text").strip(), e.key
