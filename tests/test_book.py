"""The built HTML book: a page per chapter, Table 1's values, every figure's image."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser

import pytest

from halfopen_book import run

pytestmark = pytest.mark.slow


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def _page(html_dir, chapter):
    return html_dir / "chapters" / f"{chapter}.html"


def test_every_chapter_has_a_page(built_book):
    missing = [c.name for c in run.chapters() if not _page(built_book, c.name).exists()]
    assert not missing, f"no HTML page for: {missing}"
    assert (built_book / "intro.html").exists()


def test_the_sites_root_sends_readers_to_the_landing_page_and_names_the_books_icon(built_book, root):
    import yaml
    from bs4 import BeautifulSoup

    page = BeautifulSoup((built_book / "index.html").read_text(encoding="utf-8"), "html.parser")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    refresh = page.find("meta", attrs={"http-equiv": "Refresh"})
    assert refresh and refresh["content"].endswith(f"url={toc['root']}.html"), refresh
    assert page.title.string == config["title"], page.title
    icon = page.find("link", rel="icon")
    assert icon and (built_book / icon["href"]).is_file(), f"the root page names no icon the site has: {icon}"


def test_every_table_the_update_computes_can_be_downloaded_as_csv(built_book):
    import csv
    import io
    from urllib.parse import unquote

    from bs4 import BeautifulSoup

    for chapter in ("13_half_open_measured", "14_half_open_compared", "15_half_open_specifications"):
        page = BeautifulSoup(_page(built_book, chapter).read_text(encoding="utf-8"), "html.parser")
        for table in page.select("article table"):
            caption = table.find("caption").get_text(" ", strip=True)
            if table.get("id") == "tbl-half-open-classes":
                continue  # data/measure_classes.csv as it is, downloadable from the data sources appendix
            source = next(p for p in table.find_all_next("p") if table not in p.parents)
            link = source.select_one("a[download]")
            assert link is not None, f"{chapter}: no CSV download under {caption!r}"
            rows = list(csv.reader(io.StringIO(unquote(link["href"].split(",", 1)[1]))))
            body = table.find("tbody").find_all("tr")
            assert len(rows) - 1 == len(body), f"{chapter}: {caption!r} shows {len(body)} rows, its CSV {len(rows) - 1}"


def test_table_1_page_shows_the_table_with_its_values(built_book):
    text = _page(built_book, "02_open_government_in_central_asia").read_text()
    table = text[text.index('id="tbl-table-1"') :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)]
    expected = [
        ["Denmark", "Free", "1", "1", "1.0", "97"],
        ["Kazakhstan", "Not free", "7", "5", "6.0", "22"],
        ["Kyrgyzstan", "Partly free", "5", "4", "4.5", "38"],
        ["Tajikistan", "Not free", "7", "6", "6.5", "9"],
        ["Turkmenistan", "Not free", "7", "7", "7.0", "2"],
        ["Uzbekistan", "Not free", "7", "6", "6.5", "9"],
    ]
    for row in expected:
        i = cells.index(row[0])
        assert cells[i : i + 6] == row, f"Table 1 row {row[0]} shows {cells[i : i + 6]}"


def test_every_figure_has_its_image_and_alt_text(built_book):
    for page in sorted(built_book.glob("chapters/*.html")):
        parser = _Images()
        parser.feed(page.read_text())
        for img in parser.images:
            src = img.get("src", "")
            if src.startswith(("http:", "https:", "data:")):
                continue
            target = (page.parent / src).resolve()
            assert target.exists() and target.stat().st_size > 0, f"{page.name}: image {src} missing"
            assert img.get("alt", "").strip(), f"{page.name}: image {src} has no alt text"


def test_glued_values_are_in_the_prose(built_book):
    text = _page(built_book, "02_open_government_in_central_asia").read_text()
    prose = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    assert "All 30 cells agree with the table the paper printed." in prose  # glued from the comparison


def test_no_page_loads_the_same_script_twice(built_book):
    """A repeated inline script (e.g. ``const THEBE_JS_URL``) throws in the browser."""
    for page in sorted(built_book.rglob("*.html")):
        scripts = re.findall(r"<script\b[^>]*>.*?</script>", page.read_text(encoding="utf-8"), re.S)
        repeated = sorted({s for s in scripts if scripts.count(s) > 1})
        assert not repeated, f"{page.relative_to(built_book)} repeats: {repeated}"


def test_status_page_lists_every_chapter_and_the_pinned_packages(built_book):
    page = (built_book / "chapters" / "a4_status.html").read_text(encoding="utf-8")
    cells = set(re.findall(r"<td[^>]*><p>([^<]*)</p></td>", page))
    missing = [c.name for c in run.chapters() if c.name not in cells]
    assert not missing, f"the status page's run table lacks: {missing}"
    for pinned in ("jupyter-book", "myst-nb", "pandas", "papermill"):
        assert pinned in {c.lower() for c in cells}, f"{pinned} not in the environment table"
    assert "without its runner" not in page


def test_every_notebook_chapter_offers_ipynb_and_md_downloads_that_exist(built_book):
    for c in run.chapters():
        page = _page(built_book, c.name)
        html = page.read_text(encoding="utf-8")
        for suffix in (".ipynb", ".md"):
            href = f"../_sources/chapters/{c.name}{suffix}"
            assert f'href="{href}"' in html, f"{c.name}: no {suffix} download"
            target = (page.parent / href).resolve()
            assert target.is_file() and target.stat().st_size > 0, f"{c.name}: {href} is missing"
        md = (page.parent / f"../_sources/chapters/{c.name}.md").read_text(encoding="utf-8")
        assert md.startswith("---\njupytext:"), f"{c.name}: the .md is not MyST notebook text"


#: The paper's tables and figure: their page, label and the number they must carry.
PAPER_ARTEFACTS = [
    ("02_open_government_in_central_asia", "tbl-table-1", "Table 1"),
    ("04_data_collection_and_analysis", "tbl-table-2", "Table 2"),
    ("11_discussion", "tbl-table-3", "Table 3"),
    ("11_discussion", "fig-half-open-government", "Figure 1"),
]


def test_the_papers_tables_and_figure_keep_the_papers_numbers_and_the_books_go_by_chapter(built_book):
    for chapter, label, number in PAPER_ARTEFACTS:
        text = _page(built_book, chapter).read_text(encoding="utf-8")
        at = text.index(f'id="{label}"')
        caption = re.search(r'<span class="caption-number">([^<]*)</span>', text[at:])
        assert caption and caption.group(1).strip() == number, f"{chapter}: {label} is captioned {caption.group(1)!r}"
    for page in sorted(built_book.glob("chapters/*.html")):
        for n in re.findall(r'<span class="caption-number">([^<]*)</span>', page.read_text(encoding="utf-8")):
            n = n.strip()
            assert n in {a[2] for a in PAPER_ARTEFACTS} or re.fullmatch(r"(Table|Figure) (\d+|A\d+)\.\d+", n), (
                f"{page.name}: {n!r} could be taken for the paper's numbering"
            )


def test_every_table_of_data_can_be_downloaded_from_the_site(built_book):
    from halfopen import data

    for name in data.table_names():
        path = data.resource(name)["path"]
        served = built_book / "data" / path
        assert served.is_file() and served.read_bytes() == (data.paths.data_dir() / path).read_bytes(), path


def _prose(page) -> str:
    return re.sub(r"\s+", " ", html_unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))))


def test_every_page_that_states_the_updates_result_says_the_same_computed_sentence(built_book):
    """Chapter 15 computes the result across every specification; the findings page and the
    landing page paste that one sentence (halfopen_book.pasted keeps them current)."""
    from halfopen import method, multiverse

    study = method.load_study()
    grid = multiverse.Grid(study)
    result = multiverse.conclusion(grid.verdicts(), "Kazakhstan", grid.labels)["result"]
    for page in (
        _page(built_book, "15_half_open_specifications"),
        _page(built_book, "00_findings_at_a_glance"),
        built_book / "intro.html",
    ):
        assert result in _prose(page), f"{page.name} does not state: {result}"
