"""The paper's paragraphs: sections, markers, and the concordance built by a real Sphinx.

The unit tests check the paper's sections and how markers are read. The others build small
Sphinx projects (MyST pages, this extension) in a temporary folder, serially, in parallel and
incrementally, and read the HTML with a real parser: every ¶ marker links to its entry of
the concordance, and each entry links back to the sections that cite it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from halfopen_book import paragraphs

# --------------------------------------------------------------------------- the paper's sections


def test_every_paragraph_of_the_paper_has_exactly_one_section():
    covered = [n for s in paragraphs.SECTIONS for n in range(s.first, s.last + 1)]
    assert covered == list(range(1, 47)), covered
    assert list(paragraphs.PARAGRAPHS) == list(range(1, 47))


def test_the_sections_chapters_exist(root):
    for s in paragraphs.SECTIONS:
        assert (root / f"{s.chapter}.ipynb").exists(), s.chapter


def test_markers_and_ranges_are_cut_out_of_the_text():
    assert paragraphs.split("as ¶13 says, and ¶41–43 too; ¶99 is not the paper's") == [
        ("as ", None),
        ("¶13", 13),
        (" says, and ", None),
        ("¶41–43", 41),
        (" too; ¶99 is not the paper's", None),
    ]
    assert paragraphs.split("¶46") == [("¶46", 46)]
    assert paragraphs.split("the ¶ column") == [("the ¶ column", None)]
    assert paragraphs.paragraphs_of("¶7-9") == [7, 8, 9]
    assert paragraphs.paragraphs_of("¶9–7") == []
    assert paragraphs.paragraphs_of("¶45–48") == [45, 46]


def test_chapter_numbers_come_from_the_file_names():
    assert paragraphs.chapter_number("chapters/02_open_government_in_central_asia") == "2"
    assert paragraphs.chapter_number("chapters/13_half_open_measured") == "13"
    assert paragraphs.chapter_number("chapters/a1_data_sources") == "A1"
    assert paragraphs.chapter_number("chapters/00_findings_at_a_glance") is None
    assert paragraphs.chapter_number("intro") is None


# --------------------------------------------------------------------------- a small book

CONF = 'extensions = ["myst_parser", "halfopen_book.paragraphs"]\nroot_doc = "index"\nhtml_theme = "basic"\n'

PAGES = {
    "index": "# Home\n\n```{toctree}\n" + "\n".join(["ch", *[f"p{i}" for i in range(6)], "concordance"]) + "\n```\n",
    "ch": (
        "# Chapter\n\nThe opening cites ¶13.\n\n"
        "## Later\n\nA range ¶41-43 here, and `¶5 in code`.\n\n"
        "## Second\n\nText first.\n\nAgain ¶13, and ¶99, which is not the paper's.\n"
    ),
    **{f"p{i}": f"# Page {i}\n\nIt cites ¶{20 + i}.\n" for i in range(6)},
    "concordance": "# Concordance\n\n```{paragraph-concordance}\n```\n",
}


def _write(src: Path, pages: dict[str, str]) -> None:
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")


def _sphinx(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", *extra, str(src), str(out)],
        capture_output=True,
        text=True,
    )


def _soup(out: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((out / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def _entry(out: Path, n: int) -> dict[str, list[str]]:
    """Entry ¶n of the concordance: the links it makes, and its text."""
    soup = _soup(out, "concordance")
    term = soup.find(id=f"para-{n}")
    assert term is not None and term.name == "dt", f"no entry for ¶{n}"
    definition = term.find_next_sibling("dd")
    return {"links": [a["href"] for a in definition.find_all("a")], "text": [definition.get_text(" ", strip=True)]}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("small-book") / "src"
    _write(src, PAGES)
    out = src.parent / "out"
    proc = _sphinx(src, out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_marker_links_to_its_entry_in_the_concordance(book):
    links = {a.get_text(): a["href"] for a in _soup(book, "ch").select("a.paper-paragraph")}
    assert links == {"¶13": "concordance.html#para-13", "¶41–43": "concordance.html#para-41"}, links
    page = _soup(book, "ch")
    assert page.find("code").get_text() == "¶5 in code" and not page.find("code").find("a")
    assert "¶99" in page.get_text() and "¶99" not in links


def test_each_entry_links_to_the_first_citing_paragraph_of_every_section_that_cites_it(book):
    page = _soup(book, "ch")
    entry = _entry(book, 13)
    cited = [h for h in entry["links"] if h.startswith("ch.html#")]
    assert len(cited) == 2, entry  # the opening and "Second"; "Second" cites ¶13 in its second paragraph
    sections = []
    for href in cited:
        target = page.find(id=href.split("#")[1])
        assert target is not None and target.name == "p" and "¶13" in target.get_text(), href
        sections.append(target.find_parent("section")["id"])
    assert sections == ["chapter", "second"], sections
    for n in (41, 42, 43):
        assert [h for h in _entry(book, n)["links"] if h.startswith("ch.html")][-1].startswith("ch.html#cites-"), n
    assert "No page of the book cites it" in _entry(book, 5)["text"][0]  # ¶5 only stands in code
    soup = _soup(book, "concordance")
    assert [dt["id"] for dt in soup.select("dl.paragraph-concordance > dt")] == [f"para-{n}" for n in range(1, 47)]


def test_a_parallel_build_gives_the_same_concordance(book, tmp_path):
    src = tmp_path / "src"
    _write(src, PAGES)
    proc = _sphinx(src, tmp_path / "out", "-j", "2")
    assert proc.returncode == 0, proc.stderr
    serial, parallel = (str(_soup(o, "concordance").select_one("dl")) for o in (book, tmp_path / "out"))
    assert parallel == serial


def test_a_page_read_again_updates_the_concordance(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, PAGES)
    assert _sphinx(src, out).returncode == 0
    assert not any(h.startswith("p0.html") for h in _entry(out, 5)["links"])
    (src / "p0.md").write_text("# Page 0\n\nNow it cites ¶5.\n", encoding="utf-8")
    proc = _sphinx(src, out)  # incremental: only p0 changed
    assert proc.returncode == 0, proc.stderr
    assert any(h.startswith("p0.html#cites-") for h in _entry(out, 5)["links"])
    assert not any(h.startswith("p0.html") for h in _entry(out, 20)["links"])


def test_markers_without_a_concordance_page_fail_the_build_with_a_clear_message(tmp_path):
    pages = {k: v for k, v in PAGES.items() if k != "concordance"}
    pages["index"] = pages["index"].replace("concordance\n", "")
    _write(tmp_path / "src", pages)
    proc = _sphinx(tmp_path / "src", tmp_path / "out")
    assert proc.returncode != 0
    assert "no page holds the paragraph-concordance directive" in proc.stderr, proc.stderr
