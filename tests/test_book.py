"""The built HTML book: a page per chapter, Table 1's values, every figure's image.

Each page is parsed once for the whole module (the ``soup`` fixture): parsing the book's pages
is most of what these tests cost, and several of them read every page.
"""

from __future__ import annotations

import csv
import re
from html import unescape as html_unescape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from halfopen import data, derive
from halfopen_book import chapters, run

ROOT = Path(__file__).resolve().parent.parent
TABLE_1_CHAPTER = "02_open_government_in_central_asia"

pytestmark = pytest.mark.slow


def _page(html_dir, chapter):
    return html_dir / "chapters" / f"{chapter}.html"


@pytest.fixture(scope="module")
def soup(built_book):
    """``soup(page)``: a page of the built book, parsed the first time a test asks for it and
    shared by every later test of this module. Read the trees, never change them: a change
    would be seen by the tests that follow."""
    parsed: dict[Path, BeautifulSoup] = {}

    def parse(page: Path) -> BeautifulSoup:
        page = page.resolve()
        if page not in parsed:
            parsed[page] = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        return parsed[page]

    return parse


def test_every_chapter_has_a_page(built_book):
    missing = [c.name for c in run.chapters() if not _page(built_book, c.name).exists()]
    assert not missing, f"no HTML page for: {missing}"
    assert (built_book / "intro.html").exists()


def test_the_sites_root_sends_readers_to_the_landing_page_and_names_the_books_icon(built_book, root, soup):
    import yaml

    page = soup(built_book / "index.html")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    refresh = page.find("meta", attrs={"http-equiv": "Refresh"})
    assert refresh and refresh["content"].endswith(f"url={toc['root']}.html"), refresh
    assert page.title.string == config["title"], page.title
    icon = page.find("link", rel="icon")
    assert icon and (built_book / icon["href"]).is_file(), f"the root page names no icon the site has: {icon}"


def test_every_table_the_update_computes_can_be_downloaded_as_csv(built_book, soup):
    import io
    from urllib.parse import unquote

    for chapter in ("13_half_open_measured", "14_half_open_compared", "15_half_open_specifications"):
        page = soup(_page(built_book, chapter))
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


def test_table_1_page_shows_the_papers_table_and_its_note_on_denmark(built_book, soup):
    """Chapter 2 shows Table 1 cell by cell as data/published_table_1.csv has it (the paper's
    table: tests/test_fidelity.py checks that file against the paper and the table the book
    regenerates against it), its rows in order, Denmark starred with the paper's note."""
    path = data.paths.data_dir() / data.resource("published_table_1")["path"]
    with path.open(encoding="utf-8", newline="") as f:
        published = list(csv.reader(f))[1:]
    block = soup(_page(built_book, TABLE_1_CHAPTER)).find(id="tbl-table-1")
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in block.select("table tr")]
    assert rows[0] == ["Country", *derive.TABLE_1_COLUMNS], rows[0]
    expected = [[f"{r[0]}*" if r[0] == "Denmark" else r[0], *r[1:]] for r in published]
    assert rows[1:] == expected, f"Table 1 shows {rows[1:]}"
    note = block.find_next_sibling("p").get_text(" ", strip=True)
    assert "*Denmark is there for comparison only" in note, note


def test_every_figure_has_its_image_and_alt_text(built_book, soup):
    for page in sorted(built_book.rglob("*.html")):
        for img in soup(page).find_all("img"):
            src = img.get("src", "")
            if src.startswith(("http:", "https:", "data:")):
                continue
            target = (page.parent / src).resolve()
            assert target.exists() and target.stat().st_size > 0, f"{page.name}: image {src} missing"
            assert img.get("alt", "").strip(), f"{page.name}: image {src} has no alt text"


def test_glued_values_are_in_the_prose(built_book):
    text = _page(built_book, TABLE_1_CHAPTER).read_text()
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


def _toc_pages(html_dir):
    """The pages of the table of contents, in its order: (docname, page)."""
    return [(d, html_dir / f"{d}.html") for d in chapters.toc_documents(ROOT) if d != "intro"]


def _number(docname: str) -> str | None:
    """The number a page must show: 2 for chapters/02_…, A1 for chapters/a1_…, None for 00_."""
    m = re.fullmatch(r"chapters/(?:(\d+)|a(\d+))_\w+", docname)
    if not m:
        return None
    return f"A{int(m[2])}" if m[2] else (str(int(m[1])) if int(m[1]) else None)


def test_chapters_and_appendices_show_their_numbers_in_titles_and_the_sidebar(built_book, soup):
    """Chapters 1-15 numbered by Sphinx (in the title and the sidebar), appendices lettered,
    the findings page without a number."""
    pages = _toc_pages(built_book)
    sidebar = {
        a["href"].split("#")[0]: a.get_text(" ", strip=True)
        for a in soup(built_book / "intro.html").select("nav.bd-docs-nav a.reference.internal")
    }
    for docname, page in pages:
        number = _number(docname)
        title = soup(page).select_one("article h1").get_text(" ", strip=True).rstrip("#").strip()
        entry = sidebar[f"{docname}.html"]
        if number is None:
            assert not re.match(r"[A-Z]?\d+\.", title), f"{docname}: numbered {title!r}"
            assert not re.match(r"[A-Z]?\d+\.", entry), f"{docname}: numbered in the sidebar {entry!r}"
        else:
            assert title.startswith(f"{number}. "), f"{docname}: the title reads {title!r}, not {number}. …"
            assert entry.startswith(f"{number}. "), f"{docname}: the sidebar reads {entry!r}, not {number}. …"


def _captions(soup):
    """(kind, number, id, who numbered it) of each numbered caption of a page, in page order:
    Sphinx's (a caption-number) and written ones (the emphasised start of a written-caption
    container's caption paragraph)."""
    out = []
    for node in soup.select("article .caption-number, article div.written-caption"):
        if "written-caption" in node.get("class", []):
            caption = next(p for p in node.find_all("p", recursive=False))
            first = next(iter(caption.contents), None)
            if getattr(first, "name", None) != "em":
                continue  # a caption without a number
            text, ident, by = first.get_text(" ", strip=True), node.get("id"), "written"
        else:
            text, ident, by = node.get_text(" ", strip=True), node.find_parent(["table", "figure"]).get("id"), "sphinx"
        m = re.fullmatch(r"(Table|Figure) (\S+)", text)
        assert m, f"a caption is numbered {text!r}"
        out.append((m[1], m[2], ident, by))
    return out


def test_tables_and_figures_are_numbered_by_chapter_and_the_papers_keep_the_papers_numbers(built_book, soup):
    """In chapter N Sphinx numbers N.1, N.2 … (tables and figures apart); an appendix's tables
    are written AN.1, AN.2 …; the paper's four carry its numbers, on their pages; nothing else
    is numbered, so no number can be taken for the paper's, and none is counted across pages."""
    paper = {label: number for _, label, number in PAPER_ARTEFACTS}
    found = {}
    for docname, page in _toc_pages(built_book):
        number = _number(docname)
        counts = {"Table": 0, "Figure": 0}
        for kind, n, ident, by in _captions(soup(page)):
            if ident in paper:
                found[ident] = (Path(docname).name, f"{kind} {n}")
                assert by == "written", f"{docname}: Sphinx numbered the paper's {ident}"
                continue
            counts[kind] += 1
            assert number is not None, f"{docname}: {kind} {n} on a page without a number"
            assert n == f"{number}.{counts[kind]}", (
                f"{docname}: {ident} is {kind} {n}, expected {number}.{counts[kind]}"
            )
            assert by == ("written" if number.startswith("A") else "sphinx"), f"{docname}: {kind} {n} numbered by {by}"
    assert found == {label: (page, number) for page, label, number in PAPER_ARTEFACTS}, found


def test_references_to_the_papers_tables_and_figure_read_as_the_paper_numbers_them(built_book, soup):
    paper = {label: number for _, label, number in PAPER_ARTEFACTS}
    seen = set()
    for page in sorted(built_book.rglob("*.html")):
        for a in soup(page).select("article a[href]"):
            label = a["href"].rsplit("#", 1)[-1]
            text = a.get_text(" ", strip=True)
            if label in paper and re.match(r"(Table|Figure) ", text):  # a reference by number
                seen.add(label)
                assert text.startswith(paper[label]), f"{page.name}: a link to {label} reads {text!r}"
    assert seen == set(paper), seen


CONCORDANCE = "chapters/a6_paragraph_concordance.html"


def _paragraph_links(html_dir, soup):
    """Every ¶ link of the book: (page, link)."""
    for page in sorted(html_dir.rglob("*.html")):
        for a in soup(page).select("article a.paper-paragraph"):
            yield page, a


def test_every_paragraph_link_lands_on_its_entry_in_the_concordance(built_book, soup):
    """No ¶ link points at '#' or at the top of its own page: each goes to the concordance's
    entry for its (first) paragraph, and that entry exists."""
    concordance = built_book / CONCORDANCE
    entries = {dt["id"] for dt in soup(concordance).select("dl.paragraph-concordance > dt")}
    assert entries == {f"para-{n}" for n in range(1, 47)}, sorted(entries)
    count = 0
    for page, a in _paragraph_links(built_book, soup):
        count += 1
        href = a["href"]
        first = int(re.match(r"¶(\d+)", a.get_text())[1])
        assert "#" in href and not href.endswith("#"), f"{page.name}: {a.get_text()} links to {href!r}"
        path, anchor = href.rsplit("#", 1)
        target = (page.parent / path).resolve() if path else page
        assert target == concordance.resolve() and anchor == f"para-{first}", f"{page.name}: {a.get_text()} -> {href}"
        assert anchor in entries
    assert count > 300, f"only {count} ¶ links in the book"


def test_the_concordance_lists_every_section_that_cites_a_paragraph(built_book, soup):
    """Each ¶ link of a chapter is listed in its paragraphs' entries: a link to its page that
    lands in the same section (at the first paragraph there citing it); plus the DOI."""
    concordance = built_book / CONCORDANCE
    entries = soup(concordance)
    assert entries.select_one('a[href="https://doi.org/10.4000/irpp.325"]'), "the concordance does not give the DOI"
    listed: dict[int, set[tuple[str, str]]] = {}
    ids: dict[Path, dict[str, object]] = {}  # page -> its elements by id, read once
    for n in range(1, 47):
        dd = entries.find(id=f"para-{n}").find_next_sibling("dd")
        listed[n] = set()
        for a in dd.select("li a"):
            path, anchor = a["href"].rsplit("#", 1)
            page = (concordance.parent / path).resolve()
            if page not in ids:
                ids[page] = {tag["id"]: tag for tag in reversed(soup(page).find_all(id=True))}
            target = ids[page].get(anchor)
            assert target is not None, f"¶{n}: {a['href']} lands nowhere"
            section = target if target.name == "section" else target.find_parent("section")
            listed[n].add((str(page), section["id"]))
    for page, a in _paragraph_links(built_book, soup):
        if page.resolve() == concordance.resolve():
            continue
        m = re.fullmatch(r"¶(\d+)(?:–(\d+))?", a.get_text())
        assert m, f"{page.name}: a ¶ link reads {a.get_text()!r}"
        section = a.find_parent("section")["id"]
        in_bibliography = a.find_parent("div", class_="citation") is not None  # made after the page is read
        for n in range(int(m[1]), int(m[2] or m[1]) + 1):
            if n > 46:
                continue
            if in_bibliography:
                assert any(p == str(page.resolve()) for p, _ in listed[n]), f"¶{n}: {page.name} is not in its entry"
            else:
                assert (str(page.resolve()), section) in listed[n], f"¶{n} in {page.name}#{section} is not in its entry"


def test_paragraph_ranges_are_set_with_an_en_dash(built_book, soup):
    for page in sorted(built_book.rglob("*.html")):
        article = soup(page).select_one("article")
        if article is None:
            continue
        code = {id(s) for block in article.select("pre, code") for s in block.strings}
        prose = "".join(s for s in article.strings if id(s) not in code)
        hyphens = re.findall(r"¶\s?\d+-\d+", prose)
        assert not hyphens, f"{page.relative_to(built_book)}: {hyphens}"


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
