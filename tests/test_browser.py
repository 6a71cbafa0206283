"""The built book in a real browser: Debian's chromium, driven by Playwright, on 127.0.0.1.

One strict build of the book (the session fixture ``built_book``), served from a thread on a
free port of 127.0.0.1, read by ONE headless chromium (``/usr/bin/chromium``; Playwright never
downloads a browser). Every page of the table of contents is visited once at desktop size
(1280x900) and once at phone size (390x844); a full-page screenshot of each goes to
``_build/screenshots/{desktop,phone}/``. The tests fail (never skip) when:

* a page logs a console error or an uncaught exception, or a resource fails to load
  (``requestfailed``, or HTTP status >= 400 from the local server);
* a page asks for anything not on 127.0.0.1. Decision: the book must be self-contained (it is
  read offline, from a download, and printed), so an external request is a failure, not
  silently ignored; such requests are aborted at once (no waiting for a closed network) and
  listed. Links to other sites are fine: only what a page *loads* counts;
* an image fails to load (``naturalWidth == 0``) or has no alt text;
* Table 1 is not shown with the paper's values;
* the paper's Tables 1, 2, 3 and Figure 1 do not carry those numbers in their captions and in
  every reference to them, or a table or figure of the book's own carries a number that could
  be taken for the paper's (the book's are numbered by chapter: "Table 2.1", "Table A1.1");
* at desktop size a table is wider than its column (a column hidden behind a scroll bar);
* on the phone a caption is cut (wider than the screen, or running out of it);
* a ``data/NAME.csv`` link does not land on NAME's own section of the Data sources appendix,
  or that section's CSV download does not load;
* the search page finds nothing for "Kazakhstan";
* next/previous navigation does not walk the pages in ``_toc.yml`` order;
* a chapter page (every page but the landing page) lacks its "Cite this chapter" block, or
  the block's BibTeX does not parse (pybtex) or names another chapter;
* axe-core (pinned in tests/browser/package-lock.json, injected into each page) reports a
  critical or serious violation (run at desktop size, on every page and the search page);
* ``python -m halfopen_book.pdf`` fails, writes an empty PDF, or a chapter PDF's first page does
  not carry that chapter's citation (text read with pdf.js, also pinned there).

No script repairs the page after it loads: the theme's and its extensions' accessibility slips (a
control's aria-label hiding its visible text, the bibliography's list without list items) are
fixed in the published HTML (``_templates/``, ``halfopen_book.html``), so axe runs on the page as
published; ``tests/test_site.py`` checks the same slips in the HTML with a parser.

JavaScript packages: the tests run ``npm ci`` in tests/browser/ themselves when its
node_modules is missing or older than the lock file (the npm registry is reachable in CI).

For quick work on the tests only, ``HALFOPEN_TEST_HTML=/path/to/html`` uses an existing built
site instead of building the book (the PDFs then go to that site's parent folder ``pdf/``).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import latexcodec  # noqa: F401 - registers the "ulatex" codec
import pytest
from copies import SITE

from halfopen import paths
from halfopen_book import pdf as pdf_mod

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "tests" / "browser"
SOURCES_PAGE = "chapters/a1_data_sources.html"
#: The paper's tables and figure: the label the book gives each, and the number it must show.
PAPER_NUMBERS = {
    "tbl-table-1": "Table 1",
    "tbl-table-2": "Table 2",
    "tbl-table-3": "Table 3",
    "fig-half-open-government": "Figure 1",
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABLE_1_PAGE = "chapters/02_open_government_in_central_asia.html"
#: Table 1 of the paper (O'Connor, Janenova & Knox 2019), row by row, as the page must show it.
TABLE_1 = {
    "Denmark*": ["Free", "1", "1", "1.0", "97"],  # starred, as in the paper (its note: for comparison only)
    "Kazakhstan": ["Not free", "7", "5", "6.0", "22"],
    "Kyrgyzstan": ["Partly free", "5", "4", "4.5", "38"],
    "Tajikistan": ["Not free", "7", "6", "6.5", "9"],
    "Turkmenistan": ["Not free", "7", "7", "7.0", "2"],
    "Uzbekistan": ["Not free", "7", "6", "6.5", "9"],
}
BLOCKING_IMPACTS = ("critical", "serious")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def html_dir(request) -> Path:
    override = os.environ.get("HALFOPEN_TEST_HTML")
    if override:
        return Path(override).resolve()
    return request.getfixturevalue("built_book")


@pytest.fixture(scope="module")
def screenshots(html_dir) -> Path:
    """Where the screenshots go: the build folder's ``screenshots/`` (the repository's
    ``_build/screenshots`` for the session build, or beside ``HALFOPEN_TEST_HTML``'s site)."""
    if os.environ.get("HALFOPEN_TEST_HTML"):
        return html_dir.parent / "screenshots"
    return paths.BUILD_DIR / "screenshots"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """tests/browser/node_modules, installed from the lock file with `npm ci` when stale."""
    modules = JS_DIR / "node_modules"
    stamp = modules / ".package-lock.json"
    lock = JS_DIR / "package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm is missing: install Node.js 20 and npm (the browser tests need axe-core and pdf.js)")
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR, capture_output=True, text=True
        )
        if proc.returncode != 0:
            pytest.fail(f"`npm ci` in {JS_DIR} failed:\n{proc.stdout}\n{proc.stderr}")
    for needed in ("axe-core/axe.min.js", "pdfjs-dist/legacy/build/pdf.mjs"):
        assert (modules / needed).exists(), f"{needed} missing after npm ci"
    return modules


@pytest.fixture(scope="module")
def site(html_dir) -> str:
    with pdf_mod.serve(html_dir) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One headless Debian chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    if not pdf_mod.find_chromium():
        pytest.fail(
            "no Chromium found: the browser tests need Debian's chromium, or another named by "
            f"${pdf_mod.CHROMIUM_ENV} (apt-get install chromium; never `playwright install`)"
        )
    with sync_playwright() as pw:
        b = pdf_mod.launch(pw)
        yield b
        b.close()


@dataclass
class Visit:
    """What one page showed at one viewport."""

    path: str
    problems: list[str] = field(default_factory=list)  # console errors, failed or external loads
    images: list[dict] = field(default_factory=list)
    title: str = ""
    prev: str | None = None
    next: str | None = None
    cite: dict | None = None
    violations: list[dict] = field(default_factory=list)
    sidebar: list[str] = field(default_factory=list)
    captions: list[dict] = field(default_factory=list)  # captions: id, number (Sphinx's or written), text, geometry
    refs: list[dict] = field(default_factory=list)  # references by number ("Table 2.1"): target, text
    tables: list[dict] = field(default_factory=list)  # every table's width and its column's
    datalinks: list[dict] = field(default_factory=list)  # links whose text names a data/ file


def _rel(site: str, url: str | None) -> str | None:
    """A same-site URL as a path relative to the site (no fragment); None for others."""
    if not url:
        return None
    if not url.startswith(site):
        return url
    return urlsplit(url[len(site) :]).path or "index.html"


def _watch(page, site: str, problems: list[str]) -> None:
    """Record console errors, page errors, failed and external requests of ``page``."""
    origin = site.rstrip("/")

    def abort_external(r):
        problems.append(f"external request (the book must be self-contained): {r.request.url}")
        r.abort()

    # only what is not on the local server goes through Python (keeps the suite fast)
    page.route(re.compile(r"^(?!" + re.escape(origin) + r"/|data:|blob:)"), abort_external)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} ({m.location.get('url', '')})") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            None
            if not r.url.startswith(origin)  # already reported as external
            else problems.append(f"request failed: {r.url} ({r.failure})")
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 and r.url.startswith(origin) else None
        ),
    )


_COLLECT_JS = r"""
async () => {
  const imgs = Array.from(document.images);
  for (const i of imgs) i.loading = 'eager';
  await Promise.all(imgs.map((i) => i.decode().catch(() => null)));
  const h1 = document.querySelector('article h1') || document.querySelector('h1');
  // the chapter's title: without the headerlink, nor the number Sphinx sets before it ("1. ")
  const title = h1 ? Array.from(h1.childNodes).filter((n) => !(n.classList && (n.classList.contains('headerlink')
      || n.classList.contains('section-number'))))
      .map((n) => n.textContent).join('').trim() : '';
  const cite = document.getElementById('cite-this-chapter') || document.querySelector('[id^="cite-this-chapter"]');
  const link = (sel) => { const a = document.querySelector(sel); return a ? a.href : null; };
  return {
    title,
    images: imgs.map((i) => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt'),
                              naturalWidth: i.naturalWidth, inArticle: Boolean(i.closest('article'))})),
    prev: link('.prev-next-area a.left-prev'),
    next: link('.prev-next-area a.right-next'),
    cite: cite ? {id: cite.id, text: cite.innerText,
                  pres: Array.from(cite.querySelectorAll('pre')).map((p) => p.textContent)} : null,
    sidebar: Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference.internal')).map((a) => a.href),
    captions: Array.from(document.querySelectorAll('article .caption-number, article div.written-caption')).map((n) => {
      // Sphinx's number in a caption; or a written one: the emphasised start of the caption paragraph
      // of a written-caption container (the paper's tables and figure, the appendices' tables)
      const written = n.classList.contains('written-caption');
      const holder = written ? n : n.closest('table, figure');
      const cap = written ? Array.from(n.children).find((c) => c.tagName === 'P')
                          : (n.closest('caption, figcaption') || n.parentElement);
      const lead = written && cap.firstChild && cap.firstChild.nodeName === 'EM' ? cap.firstChild : null;
      const r = cap.getBoundingClientRect();
      return {id: holder ? holder.id : '', kind: written ? 'written' : (holder ? holder.tagName.toLowerCase() : ''),
              number: written ? (lead ? lead.textContent.trim() : '') : n.textContent.trim(),
              text: cap.innerText.trim().slice(0, 120),
              left: r.left, right: r.right, scrollWidth: cap.scrollWidth, clientWidth: cap.clientWidth,
              viewport: document.documentElement.clientWidth};
    }),
    refs: Array.from(document.querySelectorAll('article a.reference.internal')).filter(
        (a) => /^(Table|Figure) /.test(a.innerText.trim())).map(
        (a) => ({href: a.getAttribute('href'), text: a.innerText.trim()})),
    tables: Array.from(document.querySelectorAll('article table')).map((t) => {
      const box = t.closest('.pst-scrollable-table-container') || t.parentElement;
      const cap = t.querySelector('caption');
      return {caption: cap ? cap.innerText.trim().slice(0, 80) : '', width: t.getBoundingClientRect().width,
              column: box.clientWidth, scrollWidth: box.scrollWidth};
    }),
    datalinks: Array.from(document.querySelectorAll('article a')).filter(
        (a) => /^data\/[a-z0-9_]+\.csv$/.test(a.innerText.trim())).map(
        (a) => ({text: a.innerText.trim(), href: a.href})),
  };
}
"""

_AXE_JS = """
async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  summary: n.failureSummary}))}));
}
"""


def _visit(context, site: str, path: str, shot: Path, axe_js: Path | None) -> Visit:
    visit = Visit(path)
    page = context.new_page()
    _watch(page, site, visit.problems)
    try:
        page.goto(site + path, wait_until="load")
        data = page.evaluate(_COLLECT_JS)
        visit.title, visit.images, visit.cite = data["title"], data["images"], data["cite"]
        visit.prev, visit.next = _rel(site, data["prev"]), _rel(site, data["next"])
        visit.sidebar = [_rel(site, u) for u in data["sidebar"]]
        visit.captions, visit.refs, visit.tables = data["captions"], data["refs"], data["tables"]
        visit.datalinks = data["datalinks"]
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        if axe_js is not None:
            page.add_script_tag(path=str(axe_js))
            visit.violations = [v for v in page.evaluate(_AXE_JS) if v["impact"] in BLOCKING_IMPACTS]
    finally:
        page.close()
    return visit


@pytest.fixture(scope="module")
def toc_pages() -> list[str]:
    """The book's pages in _toc.yml order: the root (intro), then every chapter."""
    return pdf_mod.reading_order(ROOT / "_toc.yml")


@pytest.fixture(scope="module")
def visits(browser, site, node_modules, toc_pages, screenshots) -> dict[str, dict[str, Visit]]:
    """Every page of the toc, plus any page the navigation adds, at both viewports."""
    axe_js = node_modules / "axe-core" / "axe.min.js"
    result: dict[str, dict[str, Visit]] = {"desktop": {}, "phone": {}}
    desktop = browser.new_context(viewport=DESKTOP)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        todo = list(toc_pages)
        while todo:
            path = todo.pop(0)
            if path in result["desktop"]:
                continue
            name = path.replace("/", "__").removesuffix(".html") + ".png"
            v = _visit(desktop, site, path, screenshots / "desktop" / name, axe_js)
            result["desktop"][path] = v
            result["phone"][path] = _visit(phone, site, path, screenshots / "phone" / name, None)
            # walk the navigation too: a page reachable from the sidebar or prev/next is a page of the book
            for linked in [*v.sidebar, v.prev, v.next]:
                if linked and linked.endswith(".html") and "://" not in linked and linked not in result["desktop"]:
                    todo.append(linked)
    finally:
        desktop.close()
        phone.close()
    return result


# --------------------------------------------------------------------------- tests


def test_every_page_loads_cleanly(visits):
    problems = [
        f"{kind} {path}: {p}" for kind, pages in visits.items() for path, v in pages.items() for p in v.problems
    ]
    assert not problems, "console errors or failed loads:\n" + "\n".join(problems)


def test_every_image_loads_and_has_alt_text(visits):
    bad = []
    figures = 0
    for path, v in visits["desktop"].items():
        for img in v.images:
            figures += img["inArticle"]
            if img["naturalWidth"] == 0:
                bad.append(f"{path}: image did not load: {img['src']}")
            if not (img["alt"] or "").strip():
                bad.append(f"{path}: image without alt text: {img['src']}")
    assert not bad, "\n".join(bad)
    assert figures > 0, "no figure image found in any chapter (the book has figures, e.g. Table 1's chart)"


def test_navigation_lists_the_toc_in_order(visits, toc_pages):
    root = visits["desktop"][toc_pages[0]]
    sidebar = [p for p in root.sidebar if p != "index.html"]
    assert sidebar == [p for p in toc_pages if p in sidebar] and set(toc_pages[1:]) <= set(sidebar), (
        f"the sidebar's chapters differ from _toc.yml:\n sidebar: {sidebar}\n toc:     {toc_pages}"
    )


def test_next_and_previous_walk_every_chapter_in_order(visits, toc_pages):
    pages = visits["desktop"]
    walked = [toc_pages[0]]
    while (nxt := pages[walked[-1]].next) and nxt not in walked and nxt in pages:
        walked.append(nxt)
    assert walked == toc_pages, f"'next' walks {walked}\n but _toc.yml has {toc_pages}"
    assert pages[toc_pages[-1]].next is None, f"the last page's 'next' leads on to {pages[toc_pages[-1]].next}"
    back = [toc_pages[-1]]
    while (prv := pages[back[-1]].prev) and prv not in back and prv in pages:
        back.append(prv)
    assert back == toc_pages[::-1], f"'previous' walks {back}\n but _toc.yml reversed is {toc_pages[::-1]}"
    assert pages[toc_pages[0]].prev is None, f"the first page has a 'previous' link to {pages[toc_pages[0]].prev}"


def _norm(text: str) -> str:
    """Text compared across HTML, BibTeX and PDF: no braces, backslashes or whitespace; casefolded."""
    return re.sub(r"[\s{}\\]+", "", text).replace("--", "–").casefold()


def _bibtex_entries(visit: Visit):
    from pybtex.database import parse_string

    entries = {}
    for pre in visit.cite["pres"]:
        if pre.lstrip().startswith("@"):
            entries.update(parse_string(pre, "bibtex").entries)
    return entries


def test_every_chapter_has_a_cite_block_whose_bibtex_parses(visits, toc_pages):
    from halfopen_book.citation import UNCITED_PAGES
    from halfopen_book.sphinx_ext import UNPUBLISHED

    bad = []
    uncited = {f"{p}.html" for p in UNCITED_PAGES}
    for path in toc_pages[1:]:
        v = visits["desktop"][path]
        if path in uncited:  # issue 13 §6: not on the bibliography or the status page
            if v.cite is not None:
                bad.append(f"{path}: a page not worth citing shows a cite block")
            continue
        if v.cite is None:
            bad.append(f"{path}: no 'Cite this chapter' block (an element with id 'cite-this-chapter')")
            continue
        try:
            entries = _bibtex_entries(v)
        except Exception as exc:  # pybtex raises several kinds
            bad.append(f"{path}: the BibTeX does not parse: {exc}")
            continue
        if not entries:
            bad.append(f"{path}: the cite block has no BibTeX entry (a <pre> starting with '@')")
            continue
        stem = Path(path).stem
        if not any(_norm(v.title) in _norm(e.fields.get("title", "")) for e in entries.values()):
            bad.append(f"{path}: no BibTeX entry has the chapter's title {v.title!r}")
        # pybtex's writer LaTeX-encodes fields ("_" as "\_"): compare the decoded URL. A book
        # built without a site address names none and says so instead.
        if UNPUBLISHED in v.cite["text"]:
            own = [e for e in entries.values() if _norm(v.title) in _norm(e.fields.get("title", ""))]
            if any(stem in codecs.decode(e.fields.get("url", ""), "ulatex") for e in own):
                bad.append(f"{path}: the cite block says the book is not published but its BibTeX has a url")
        elif not any(stem in codecs.decode(e.fields.get("url", ""), "ulatex") for e in entries.values()):
            bad.append(f"{path}: no BibTeX entry has a url to this chapter ({stem})")
        if "10.4000/irpp.325" not in v.cite["text"]:
            bad.append(f"{path}: the cite block does not give the original paper (doi 10.4000/irpp.325)")
    for path in toc_pages[:1]:  # the landing page needs none, but one it shows must parse
        v = visits["desktop"][path]
        if v.cite is not None:
            try:
                _bibtex_entries(v)
            except Exception as exc:
                bad.append(f"{path}: the BibTeX does not parse: {exc}")
    assert not bad, "\n".join(bad)


def test_no_serious_accessibility_violations(visits):
    lines = []
    for path, v in visits["desktop"].items():
        for viol in v.violations:
            for node in viol["nodes"]:
                lines.append(
                    f"{path}: [{viol['impact']}] {viol['id']} ({viol['help']}) at {node['target']}: {node['html']}"
                )
    assert not lines, f"axe-core: {len(lines)} critical/serious violations:\n" + "\n".join(lines)


def test_table_1_shows_the_papers_values(browser, site):
    problems: list[str] = []
    page = browser.new_page(viewport=DESKTOP)
    _watch(page, site, problems)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        block = page.locator("#tbl-table-1")
        caption = block.locator(":scope > p").first.inner_text()
        assert caption.startswith("Table 1 "), f"{TABLE_1_PAGE}: Table 1 is captioned {caption!r}"
        table = block.locator("table")
        assert table.count() == 1, f"{TABLE_1_PAGE}: expected one table in #tbl-table-1, found {table.count()}"
        assert table.is_visible(), f"{TABLE_1_PAGE}: Table 1 is not visible"
        rows = table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
        )
    finally:
        page.close()
    shown = {r[0]: r[1:] for r in rows if r}
    assert sorted(shown) == sorted(TABLE_1), f"Table 1 shows countries {sorted(shown)}"
    for country, values in TABLE_1.items():
        assert shown[country] == values, f"Table 1, {country}: shows {shown[country]}, the paper has {values}"
    assert not problems, problems


def test_search_finds_kazakhstan(browser, site, node_modules, screenshots):
    problems: list[str] = []
    page = browser.new_page(viewport=DESKTOP)
    _watch(page, site, problems)
    try:
        page.goto(site + "search.html?q=Kazakhstan", wait_until="load")
        summary = page.locator("#search-results .search-summary")
        summary.wait_for(timeout=20_000)
        page.wait_for_function(
            "() => !document.querySelector('#search-results .search-summary').textContent.includes('Searching')",
            timeout=20_000,
        )
        results = page.locator("#search-results ul.search li a").evaluate_all("as => as.map(a => a.href)")
        text = summary.inner_text()
        (screenshots / "desktop").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "desktop" / "search_Kazakhstan.png"), full_page=True)
        page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
        violations = [v for v in page.evaluate(_AXE_JS) if v["impact"] in BLOCKING_IMPACTS]
    finally:
        page.close()
    assert results, f"search for 'Kazakhstan' found nothing: {text!r}"
    assert any(TABLE_1_PAGE in r for r in results), f"search for 'Kazakhstan' misses {TABLE_1_PAGE}: {results}"
    assert not problems, problems
    assert not violations, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_screenshots_saved_for_every_page(visits, screenshots):
    for kind, pages in visits.items():
        for path in pages:
            shot = screenshots / kind / (path.replace("/", "__").removesuffix(".html") + ".png")
            assert shot.exists() and shot.stat().st_size > 1000, f"no screenshot {shot}"


def test_the_papers_tables_and_figure_carry_the_papers_numbers(visits):
    """Captions and references of the paper's Tables 1-3 and Figure 1 read as in the paper;
    every other caption is numbered by chapter, so none can be taken for the paper's."""
    bad, found = [], {}
    for kind, pages in visits.items():
        for path, v in pages.items():
            for cap in v.captions:
                number = cap["number"].rstrip(".: ")
                if cap["id"] in PAPER_NUMBERS:
                    found[cap["id"]] = path
                    if number != PAPER_NUMBERS[cap["id"]]:
                        bad.append(
                            f"{kind} {path}: {cap['id']} is captioned {number!r}, the paper's is "
                            f"{PAPER_NUMBERS[cap['id']]!r}"
                        )
                elif number and not re.fullmatch(r"(Table|Figure) (\d+|A\d+)\.\d+", number):
                    bad.append(
                        f"{kind} {path}: {cap['id'] or cap['kind']} is numbered {number!r}, not by chapter "
                        f"(e.g. 'Table 2.1'): {cap['text']!r}"
                    )
            for ref in v.refs:
                target = ref["href"].rsplit("#", 1)[-1]
                if target in PAPER_NUMBERS and not ref["text"].startswith(PAPER_NUMBERS[target]):
                    bad.append(f"{kind} {path}: a reference to {target} reads {ref['text']!r}")
    missing = sorted(set(PAPER_NUMBERS) - set(found))
    assert not missing, f"no page shows a caption for {missing}"
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_table_is_wider_than_its_column_at_desktop(visits):
    bad = [
        f"{path}: {t['caption'] or 'a table'!r} is {t['width']:.0f} px wide, its column {t['column']} px "
        f"(scrolls to {t['scrollWidth']} px)"
        for path, v in visits["desktop"].items()
        for t in v.tables
        if t["width"] > t["column"] + 1 or t["scrollWidth"] > t["column"] + 1
    ]
    assert not bad, f"{len(bad)} tables hide columns at 1280 px:\n" + "\n".join(bad)


def test_no_caption_is_cut_on_the_phone(visits):
    bad = []
    for path, v in visits["phone"].items():
        for cap in v.captions:
            if cap["left"] < -1 or cap["right"] > cap["viewport"] + 1 or cap["scrollWidth"] > cap["clientWidth"] + 1:
                bad.append(
                    f"{path}: caption {cap['text'][:60]!r} spans {cap['left']:.0f}-{cap['right']:.0f} px "
                    f"of a {cap['viewport']} px screen"
                )
    assert not bad, f"{len(bad)} captions are cut on the phone:\n" + "\n".join(bad)


def test_every_data_link_lands_on_its_tables_section(visits, browser, site):
    links = {(path, d["text"], d["href"]) for path, v in visits["desktop"].items() for d in v.datalinks}
    assert links, "no data/*.csv link found on any page"
    bad = []
    for path, text, href in sorted(links):
        name = text.removeprefix("data/").removesuffix(".csv")
        want = "data-" + name.replace("_", "-")
        target, _, fragment = href.partition("#")
        if _rel(site, target) != SOURCES_PAGE or fragment != want:
            bad.append(f"{path}: {text} links to {href}, not to {SOURCES_PAGE}#{want}")
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(site + SOURCES_PAGE, wait_until="load")
        sections = page.evaluate(
            "() => Array.from(document.querySelectorAll('[id^=\"data-\"]')).map((e) => ({id: e.id, text: e.innerText}))"
        )
        downloads = page.locator("article a[download]").evaluate_all("as => as.map(a => a.href)")
        for d in downloads:
            r = page.request.get(d)
            if r.status != 200 or not r.body():
                bad.append(f"{SOURCES_PAGE}: the download {d} gives HTTP {r.status}")
    finally:
        page.close()
    by_id = {s["id"]: s["text"] for s in sections}
    for path, text, _ in sorted(links):
        name = text.removeprefix("data/")
        want = "data-" + name.removesuffix(".csv").replace("_", "-")
        if name not in by_id.get(want, ""):
            bad.append(f"{SOURCES_PAGE}: no section #{want} headed {name} (for the link on {path})")
        if not any(d.endswith("/data/" + name) for d in downloads):
            bad.append(f"{SOURCES_PAGE}: no CSV download of {name}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_a_paragraph_link_tapped_on_a_phone_lands_on_its_entry_in_the_concordance(browser, site):
    """Tapping ¶17 in the middle of chapter 6 opens the concordance at ¶17's entry (in view),
    which links back to the place in chapter 6 it came from."""
    chapter = "chapters/06_more_inclusive_decision_making.html"
    problems: list[str] = []
    page = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    _watch(page, site, problems)
    try:
        page.goto(site + chapter, wait_until="load")
        links = page.locator("article a.paper-paragraph", has_text=re.compile(r"^¶17\b"))
        assert links.count() > 1, f"{chapter}: fewer than two ¶17 links"
        link = links.nth(links.count() // 2)
        link.scroll_into_view_if_needed()
        link.tap()
        page.wait_for_url(re.compile(r"a6_paragraph_concordance\.html#para-17$"), wait_until="load")
        entry = page.locator("#para-17")
        on_screen = (
            "() => { const r = document.getElementById('para-17').getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(on_screen, timeout=5000)
        except PlaywrightTimeout:
            pytest.fail(f"¶17's entry is not on screen after the tap: {entry.bounding_box()}")
        assert entry.inner_text().startswith("¶17"), entry.inner_text()
        back = page.locator("#para-17 + dd a[href*='06_more_inclusive_decision_making.html#']")
        assert back.count() >= 1, "¶17's entry does not link back to chapter 6"
    finally:
        page.close()
    assert not problems, problems


# --------------------------------------------------------------------------- PDF


def _pdf_texts(pdfs: list[Path], pages: int = 0) -> dict[str, dict]:
    """Text of each PDF (first ``pages`` pages, or all), read by pdf.js in one node process."""
    cmd = ["node", str(JS_DIR / "pdftext.mjs"), "--pages", str(pages), *map(str, pdfs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=JS_DIR)
    assert proc.returncode == 0, f"pdf.js could not read the PDFs:\n{proc.stderr}"
    return json.loads(proc.stdout)


def test_pdf_of_every_chapter_and_the_book_with_citation_first(published_pdfs, visits, toc_pages, node_modules):
    """The PDFs the deploy workflow prints (``python -m halfopen_book.pdf``) from the published
    build; the pages' titles and cite blocks are the session build's, which differ from the
    published pages only in the address, which the first page must carry."""
    proc, out = published_pdfs["proc"], published_pdfs["dir"]
    assert proc.returncode == 0, f"the PDF command failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    bad = []
    pdfs = {path: out / (Path(path).stem + ".pdf") for path in toc_pages}
    for pdf in pdfs.values():
        if not pdf.exists() or pdf.stat().st_size < 1000 or not pdf.read_bytes().startswith(b"%PDF-"):
            bad.append(f"{pdf.name}: missing or empty")
    assert not bad, "\n".join(bad)
    texts = _pdf_texts(list(pdfs.values()), pages=1)
    for path, pdf in pdfs.items():
        v = visits["desktop"][path]
        first = _norm(texts[str(pdf)]["pages"][0])
        if _norm(v.title) not in first:
            bad.append(f"{pdf.name}: first page lacks the chapter title {v.title!r}")
        if path == toc_pages[0] or v.cite is None:
            continue  # a missing cite block is reported by the cite-block test
        for key in _bibtex_entries(v):
            for what, value in (("key", key), ("url", SITE + path)):
                if _norm(value) not in first:
                    bad.append(f"{pdf.name}: the citation's {what} {value!r} is not on the first page")
    book = out / pdf_mod.BOOK_PDF
    assert book.exists() and book.stat().st_size > 1000, f"no whole-book PDF {book}"
    text = _pdf_texts([book])[str(book)]
    assert text["numPages"] >= len(toc_pages), f"book.pdf has {text['numPages']} pages for {len(toc_pages)} chapters"
    whole = _norm("".join(text["pages"]))
    position = 0
    for path in toc_pages:  # each chapter's title after the previous chapter's
        found = whole.find(_norm(visits["desktop"][path].title), position)
        if found < 0:
            bad.append(f"book.pdf: {path}'s title {visits['desktop'][path].title!r} not found after the chapter before")
            break
        position = found + 1
    assert not bad, "\n".join(bad)
