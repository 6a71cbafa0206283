"""The built book in a real browser: Debian's chromium, driven by Playwright, on 127.0.0.1.

One strict build of the book (the session fixture ``built_book``), served from a thread on a
free port of 127.0.0.1, read by ONE headless chromium (``/usr/bin/chromium``; Playwright never
downloads a browser). ONE walk (the ``walk`` fixture) visits every page of the site (the table of
contents in its order, then the search and index pages) once at desktop size (1280x900) and
once at phone size (390x844, in a fresh browser context each time, so each page is measured as
a reader's first visit: nothing cached), and collects what the tests below check; a full-page
screenshot of each page goes to ``_build/screenshots/{desktop,phone}/``, and one of each figure
to its ``figures/`` folder, for review. The tests fail (never skip) when:

* a page logs a console error or an uncaught exception, or a resource fails to load
  (``requestfailed``, or HTTP status >= 400 from the local server);
* a page asks for anything not on 127.0.0.1. Decision: the book must be self-contained (it is
  read offline, from a download, and printed), so an external request is a failure, not
  silently ignored; such requests are aborted at once (no waiting for a closed network) and
  listed. Links to other sites are fine: only what a page *loads* counts;
* on the phone a page transfers more than 400 KB (text counted gzip-compressed, as a static host
  serves it; images as they are; issue 14 §3), loads Font Awesome, draws no icon from its SVG
  (``halfopen-icons.css``), or loads an image below the first screen eagerly;
* an image fails to load (``naturalWidth == 0``) or has no alt text; a figure is not an SVG, is
  shown at less than 70 % of its natural width on the desktop or 50 % on the phone (its text
  would be too small to read), or does not link to its SVG (to be opened alone and enlarged);
* the paper's Tables 1, 2, 3 and Figure 1 are not shown, or do not carry those numbers in their
  captions and in every reference to them, or a table or figure of the book's own carries a
  number that could be taken for the paper's (the book's are numbered by chapter: "Table 2.1");
* at desktop size a table is wider than its column (a column hidden behind a scroll bar);
* on the phone a caption is cut (wider than the screen, or running out of it);
* a page has not exactly one search field at desktop size;
* a ``data/NAME.csv`` link does not land on NAME's own section of the Data sources appendix,
  or that section's CSV download does not load;
* searching from a chapter's search box does not find "Kazakhstan", or a result opened from it
  loads Font Awesome;
* next/previous navigation does not walk the pages in ``_toc.yml`` order;
* a chapter page (every page but the landing page) lacks its "Cite this chapter" block, or
  the block's BibTeX does not parse (pybtex) or names another chapter;
* axe-core (pinned in tests/browser/package-lock.json, injected into each page) reports a
  critical or serious violation (run at desktop size, on every page and on the search results);
* the theme's buttons (colour mode, download menu, show code, copy, the phone's menu and
  contents, the desktop's ☰) do not work, or a ¶ link tapped on a phone does not land on its
  entry in the concordance.

The values of the paper's tables are compared in ``tests/test_fidelity.py`` and, as the page
shows them, in ``tests/test_book.py``; the PDFs printed from the published build in
``tests/test_publish.py``.

No script repairs the page after it loads: the theme's and its extensions' accessibility slips (a
control's aria-label hiding its visible text, the bibliography's list without list items) are
fixed in the published HTML (``_templates/``, ``halfopen_book.html``), so axe runs on the page as
published; ``tests/test_site.py`` checks the same slips in the HTML with a parser.

JavaScript packages: ``npm ci`` in tests/browser/ runs when its node_modules is missing or older
than the lock file (the ``node_modules`` fixture of ``conftest.py``).

For quick work on the tests only, ``HALFOPEN_TEST_HTML=/path/to/html`` uses an existing built
site instead of building the book.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import latexcodec  # noqa: F401 - registers the "ulatex" codec
import pytest
from test_publish import bibtex_entries, norm
from test_site import site_pages

from halfopen import paths
from halfopen_book import pdf as pdf_mod

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
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
BLOCKING_IMPACTS = ("critical", "serious")
#: The goal of issue 14: at most this much transferred per page, figures included.
MAX_KB = 400
#: Content types a static host compresses (GitHub Pages does).
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
#: The least share of its natural width a figure may be shown at, by viewport.
LEAST = {"desktop": 0.70, "phone": 0.50}
#: For the figures' screenshots only: the sticky header and the skip link would cover a tall figure.
SHOT_STYLE = ".bd-header, .skip-link, .bd-header-article { visibility: hidden !important; }"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def screenshots(html_dir) -> Path:
    """Where the screenshots go: the build folder's ``screenshots/`` (the repository's
    ``_build/screenshots`` for the session build, or beside ``HALFOPEN_TEST_HTML``'s site)."""
    if os.environ.get("HALFOPEN_TEST_HTML"):
        return html_dir.parent / "screenshots"
    return paths.BUILD_DIR / "screenshots"


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


@pytest.fixture(scope="module")
def toc_pages() -> list[str]:
    """The book's pages in _toc.yml order: the root (intro), then every chapter."""
    return pdf_mod.reading_order(ROOT / "_toc.yml")


@dataclass
class Visit:
    """What one page showed at one viewport."""

    path: str
    problems: list[str] = field(default_factory=list)  # console errors, failed or external loads
    images: list[dict] = field(default_factory=list)  # every image: src, alt, sizes, link, in a figure
    title: str = ""
    prev: str | None = None
    next: str | None = None
    cite: dict | None = None
    violations: list[dict] = field(default_factory=list)  # axe, desktop only
    sidebar: list[str] = field(default_factory=list)
    captions: list[dict] = field(default_factory=list)  # captions: id, number (Sphinx's or written), text, geometry
    refs: list[dict] = field(default_factory=list)  # references by number ("Table 2.1"): target, text
    tables: list[dict] = field(default_factory=list)  # every table's width and its column's
    datalinks: list[dict] = field(default_factory=list)  # links whose text names a data/ file
    shown: dict = field(default_factory=dict)  # the paper's tables and figure on this page: id -> visible
    search_fields: int = 0  # visible search fields
    transferred: list[tuple[int, str]] = field(default_factory=list)  # phone only: (bytes, url), heaviest first
    icons: int = 0  # phone only: icons drawn from their SVG
    eager: list[str] = field(default_factory=list)  # phone only: images below the first screen, not lazy


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
async (paperIds) => {
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
  const visible = (e) => { const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth; };
  return {
    title,
    images: imgs.map((i, k) => {
      const a = i.closest('a'), figure = i.closest('article figure');
      if (figure) i.setAttribute('data-walk-index', String(k));
      return {src: i.currentSrc || i.src, alt: i.getAttribute('alt'), naturalWidth: i.naturalWidth,
              shown: i.getBoundingClientRect().width, inArticle: Boolean(i.closest('article')),
              figure: figure ? (figure.id || `image ${k}`) : null, link: a ? a.href : null, index: k};
    }),
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
    shown: Object.fromEntries(paperIds.filter((id) => document.getElementById(id)).map(
        (id) => [id, visible(document.getElementById(id))])),
    searchFields: Array.from(document.querySelectorAll(
        'input[type=search], input[name=q], button.search-button-field')).filter(visible).length,
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


#: The icons a reader sees: Font Awesome's icon elements with a size and their SVG as a mask.
DRAWN_ICONS = """() => Array.from(document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')).filter((e) => {
  const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
  const mask = cs.maskImage || cs.webkitMaskImage;
  return r.width > 0 && r.height > 0 && mask && mask.startsWith('url("data:image/svg+xml');
}).length"""
#: The article's images that start below the first screen and are not loaded lazily.
EAGER_BELOW_THE_FOLD = """() => Array.from(document.querySelectorAll('article.bd-article img')).filter(
  (img) => img.getBoundingClientRect().top + scrollY > innerHeight && img.loading !== 'lazy').map((img) => img.src)"""


def _collect(page, site: str, visit: Visit, shots: Path, name: str) -> None:
    """Read the page into ``visit``; screenshot it whole, and each of its figures."""
    data = page.evaluate(_COLLECT_JS, list(PAPER_NUMBERS))
    visit.title, visit.images, visit.cite = data["title"], data["images"], data["cite"]
    visit.prev, visit.next = _rel(site, data["prev"]), _rel(site, data["next"])
    visit.sidebar = [_rel(site, u) for u in data["sidebar"]]
    visit.captions, visit.refs, visit.tables = data["captions"], data["refs"], data["tables"]
    visit.datalinks, visit.shown, visit.search_fields = data["datalinks"], data["shown"], data["searchFields"]
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    for img in visit.images:
        if img["figure"]:
            out = shots / "figures" / f"{name}--{img['index']}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            page.locator(f'img[data-walk-index="{img["index"]}"]').screenshot(path=str(out), style=SHOT_STYLE)


def _desktop_visit(context, site: str, path: str, shots: Path, axe_js: Path) -> Visit:
    visit = Visit(path)
    page = context.new_page()
    _watch(page, site, visit.problems)
    try:
        page.goto(site + path, wait_until="load")
        _collect(page, site, visit, shots, _shot_name(path))
        page.add_script_tag(path=str(axe_js))
        visit.violations = [v for v in page.evaluate(_AXE_JS) if v["impact"] in BLOCKING_IMPACTS]
    finally:
        page.close()
    return visit


def _phone_visit(context, site: str, path: str, shots: Path) -> Visit:
    """A first visit on a phone: what the page transfers before anything is scrolled or forced
    to load, its icons and lazy images; then what it shows."""
    visit = Visit(path)
    page = context.new_page()
    _watch(page, site, visit.problems)

    def count(response):
        if not response.url.startswith(site) or response.status >= 300:
            return
        body = response.body()
        kind = response.headers.get("content-type", "")
        visit.transferred.append(
            (len(gzip.compress(body, 6)) if kind.startswith(COMPRESSED) else len(body), response.url)
        )

    page.on("response", count)
    try:
        page.goto(site + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        visit.icons = page.evaluate(DRAWN_ICONS)
        visit.eager = page.evaluate(EAGER_BELOW_THE_FOLD)
        page.remove_listener("response", count)
        visit.transferred.sort(reverse=True)
        _collect(page, site, visit, shots, _shot_name(path))
    finally:
        page.close()
    return visit


def _shot_name(path: str) -> str:
    return path.replace("/", "__").removesuffix(".html")


@pytest.fixture(scope="module")
def walk(browser, site, html_dir, node_modules, toc_pages, screenshots) -> dict[str, dict[str, Visit]]:
    """Every page of the site at both viewports: viewport -> page -> Visit (the module's docstring)."""
    axe_js = node_modules / "axe-core" / "axe.min.js"
    pages = toc_pages + [p for p in site_pages(html_dir) if p not in toc_pages]
    result: dict[str, dict[str, Visit]] = {"desktop": {}, "phone": {}}
    desktop = browser.new_context(viewport=DESKTOP)
    try:
        for path in pages:
            result["desktop"][path] = _desktop_visit(desktop, site, path, screenshots / "desktop", axe_js)
            phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # nothing cached
            try:
                result["phone"][path] = _phone_visit(phone, site, path, screenshots / "phone")
            finally:
                phone.close()
    finally:
        desktop.close()
    return result


# --------------------------------------------------------------------------- what every page shows


def test_every_page_loads_cleanly(walk):
    problems = [f"{kind} {path}: {p}" for kind, pages in walk.items() for path, v in pages.items() for p in v.problems]
    assert not problems, "console errors, failed or external loads:\n" + "\n".join(problems)


def test_every_image_loads_and_has_alt_text_and_every_figure_is_an_svg(walk):
    bad, figures, with_figures = [], 0, set()
    for kind, visits in walk.items():
        for path, v in visits.items():
            for img in v.images:
                name = img["src"].rsplit("/", 1)[-1]
                if img["naturalWidth"] == 0:
                    bad.append(f"{kind} {path}: image did not load: {img['src']}")
                if not (img["alt"] or "").strip():
                    bad.append(f"{kind} {path}: image without alt text: {img['src']}")
                if img["figure"]:
                    figures += kind == "desktop"
                    with_figures.add(path)
                    if not img["src"].split("?")[0].endswith(".svg"):
                        bad.append(f"{kind} {path}: figure {img['figure']} is not an SVG: {name}")
    assert not bad, "\n".join(bad)
    assert figures >= 10, f"only {figures} figures in the whole book"
    assert "chapters/11_discussion.html" in with_figures, "Figure 1 (chapter 11) is missing"


@pytest.mark.parametrize("kind", ["desktop", "phone"])
def test_every_figure_is_shown_large_enough_to_read(walk, kind):
    least = LEAST[kind]
    bad = [
        f"{path}: figure {f['figure']} is shown at {f['shown']:.0f} px of its {f['naturalWidth']} px "
        f"({f['shown'] / f['naturalWidth']:.0%}, the least is {least:.0%})"
        for path, v in walk[kind].items()
        for f in v.images
        if f["figure"] and f["naturalWidth"] and f["shown"] / f["naturalWidth"] < least
    ]
    assert not bad, "\n".join(bad)


def test_every_figure_opens_alone_to_be_enlarged(walk):
    bad = [
        f"{path}: figure {f['figure']} links to {f['link']!r}, not to its SVG"
        for path, v in walk["phone"].items()
        for f in v.images
        if f["figure"] and not (f["link"] and f["link"].split("?")[0].endswith(".svg"))
    ]
    assert not bad, "\n".join(bad)


def test_every_page_transfers_at_most_400_kb_on_a_phone(walk):
    heavy = {
        path: f"{sum(n for n, _ in v.transferred) / 1024:,.0f} KB; heaviest: "
        + ", ".join(f"{u.rsplit('/', 1)[-1]} {n / 1024:,.0f} KB" for n, u in v.transferred[:4])
        for path, v in walk["phone"].items()
        if sum(n for n, _ in v.transferred) > MAX_KB * 1024
    }
    assert not heavy, heavy
    assert all(v.transferred for v in walk["phone"].values()), "a page whose loads were not counted"


def test_every_page_draws_its_icons_without_font_awesome_and_loads_lower_images_lazily(walk):
    phone = walk["phone"]
    no_icons = [path for path, v in phone.items() if v.icons == 0]
    assert not no_icons, f"pages that show no icon drawn from its SVG (halfopen-icons.css): {no_icons}"
    loaded = {u for v in phone.values() for _, u in v.transferred}
    assert not [u for u in loaded if "fontawesome" in u or "webfonts" in u], "Font Awesome is still loaded"
    eager = {path: v.eager for path, v in phone.items() if v.eager}
    assert not eager, f"images below the first screen that are not loaded lazily: {eager}"


def test_every_page_has_one_search_field_at_desktop_size(walk):
    wrong = {path: v.search_fields for path, v in walk["desktop"].items() if v.search_fields != 1}
    assert "search.html" in walk["desktop"] and not wrong, f"pages without exactly one search field: {wrong}"


def test_navigation_lists_the_toc_in_order(walk, toc_pages):
    root = walk["desktop"][toc_pages[0]]
    sidebar = [p for p in root.sidebar if p != "index.html"]
    assert sidebar == [p for p in toc_pages if p in sidebar] and set(toc_pages[1:]) <= set(sidebar), (
        f"the sidebar's chapters differ from _toc.yml:\n sidebar: {sidebar}\n toc:     {toc_pages}"
    )
    pages = walk["desktop"]
    linked = {p for v in pages.values() for p in [*v.sidebar, v.prev, v.next] if p and "://" not in p}
    assert not {p for p in linked if p.endswith(".html")} - set(pages) - {"index.html"}, "navigation leads off the site"


def test_next_and_previous_walk_every_chapter_in_order(walk, toc_pages):
    pages = walk["desktop"]
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


def test_every_chapter_has_a_cite_block_whose_bibtex_parses(walk, toc_pages):
    from halfopen_book.citation import UNCITED_PAGES
    from halfopen_book.sphinx_ext import UNPUBLISHED

    bad = []
    uncited = {f"{p}.html" for p in UNCITED_PAGES}
    for path in toc_pages[1:]:
        v = walk["desktop"][path]
        if path in uncited:  # issue 13 §6: not on the bibliography or the status page
            if v.cite is not None:
                bad.append(f"{path}: a page not worth citing shows a cite block")
            continue
        if v.cite is None:
            bad.append(f"{path}: no 'Cite this chapter' block (an element with id 'cite-this-chapter')")
            continue
        try:
            entries = bibtex_entries(v.cite["pres"])
        except Exception as exc:  # pybtex raises several kinds
            bad.append(f"{path}: the BibTeX does not parse: {exc}")
            continue
        if not entries:
            bad.append(f"{path}: the cite block has no BibTeX entry (a <pre> starting with '@')")
            continue
        stem = Path(path).stem
        if not any(norm(v.title) in norm(e.fields.get("title", "")) for e in entries.values()):
            bad.append(f"{path}: no BibTeX entry has the chapter's title {v.title!r}")
        # pybtex's writer LaTeX-encodes fields ("_" as "\_"): compare the decoded URL. A book
        # built without a site address names none and says so instead.
        if UNPUBLISHED in v.cite["text"]:
            own = [e for e in entries.values() if norm(v.title) in norm(e.fields.get("title", ""))]
            if any(stem in codecs.decode(e.fields.get("url", ""), "ulatex") for e in own):
                bad.append(f"{path}: the cite block says the book is not published but its BibTeX has a url")
        elif not any(stem in codecs.decode(e.fields.get("url", ""), "ulatex") for e in entries.values()):
            bad.append(f"{path}: no BibTeX entry has a url to this chapter ({stem})")
        if "10.4000/irpp.325" not in v.cite["text"]:
            bad.append(f"{path}: the cite block does not give the original paper (doi 10.4000/irpp.325)")
    for path in toc_pages[:1]:  # the landing page needs none, but one it shows must parse
        v = walk["desktop"][path]
        if v.cite is not None:
            try:
                bibtex_entries(v.cite["pres"])
            except Exception as exc:
                bad.append(f"{path}: the BibTeX does not parse: {exc}")
    assert not bad, "\n".join(bad)


def test_no_serious_accessibility_violations(walk):
    lines = []
    for path, v in walk["desktop"].items():
        for viol in v.violations:
            for node in viol["nodes"]:
                lines.append(
                    f"{path}: [{viol['impact']}] {viol['id']} ({viol['help']}) at {node['target']}: {node['html']}"
                )
    assert not lines, f"axe-core: {len(lines)} critical/serious violations:\n" + "\n".join(lines)


def test_screenshots_saved_for_every_page(walk, screenshots):
    for kind, pages in walk.items():
        for path in pages:
            shot = screenshots / kind / (path.replace("/", "__").removesuffix(".html") + ".png")
            assert shot.exists() and shot.stat().st_size > 1000, f"no screenshot {shot}"


def test_the_papers_tables_and_figure_carry_the_papers_numbers(walk):
    """Captions and references of the paper's Tables 1-3 and Figure 1 read as in the paper;
    every other caption is numbered by chapter, so none can be taken for the paper's."""
    bad, found = [], {}
    for kind, pages in walk.items():
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
    hidden = [
        f"{kind} {path}: {i}"
        for kind, pages in walk.items()
        for path, v in pages.items()
        for i, s in v.shown.items()
        if not s
    ]
    assert not hidden, f"the paper's tables or figure are on the page but not shown: {hidden}"
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_table_is_wider_than_its_column_at_desktop(walk):
    bad = [
        f"{path}: {t['caption'] or 'a table'!r} is {t['width']:.0f} px wide, its column {t['column']} px "
        f"(scrolls to {t['scrollWidth']} px)"
        for path, v in walk["desktop"].items()
        for t in v.tables
        if t["width"] > t["column"] + 1 or t["scrollWidth"] > t["column"] + 1
    ]
    assert not bad, f"{len(bad)} tables hide columns at 1280 px:\n" + "\n".join(bad)


def test_no_caption_is_cut_on_the_phone(walk):
    bad = []
    for path, v in walk["phone"].items():
        for cap in v.captions:
            if cap["left"] < -1 or cap["right"] > cap["viewport"] + 1 or cap["scrollWidth"] > cap["clientWidth"] + 1:
                bad.append(
                    f"{path}: caption {cap['text'][:60]!r} spans {cap['left']:.0f}-{cap['right']:.0f} px "
                    f"of a {cap['viewport']} px screen"
                )
    assert not bad, f"{len(bad)} captions are cut on the phone:\n" + "\n".join(bad)


def test_every_data_link_lands_on_its_tables_section(walk, browser, site):
    links = {(path, d["text"], d["href"]) for path, v in walk["desktop"].items() for d in v.datalinks}
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


# --------------------------------------------------------------------------- what a reader does


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


#: How far the search field's magnifier reaches into the text of the query (px; 0 or less: clear of it).
ICON_OVER_QUERY = """() => {
  const input = Array.from(document.querySelectorAll('input[name=q]')).find((i) => i.getBoundingClientRect().width > 0);
  const icon = input && input.parentElement.querySelector('.fa-magnifying-glass');
  if (!icon) return null;
  const textStart = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
  return icon.getBoundingClientRect().right - textStart;
}"""


def test_search_from_a_chapter_finds_kazakhstan_and_a_result_opens_its_page(browser, site, node_modules, screenshots):
    """From Table 1's chapter: the search box, the results page (clear of the magnifier, axe-clean,
    screenshot kept), and the result that opens the chapter with its matches marked and a "Hide
    search matches" link whose icon is drawn like the others, not from Font Awesome's font."""
    problems: list[str] = []
    page = browser.new_page(viewport=DESKTOP)
    _watch(page, site, problems)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        page.locator("button.search-button-field").first.click()
        box = page.locator("#pst-search-dialog input[name=q]")
        box.wait_for(state="visible", timeout=10_000)
        box.fill("Kazakhstan")
        with page.expect_navigation():
            box.press("Enter")
        assert urlsplit(page.url).path.endswith("/search.html"), page.url
        page.wait_for_function(  # Sphinx lists the pages one by one, then says how many it found
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " const n = s && s.textContent.match(/found (\\d+) page/);"
            " return n && document.querySelectorAll('#search-results ul.search li').length >= Number(n[1]); }",
            timeout=30_000,
        )
        results = page.locator("#search-results ul.search li a").evaluate_all("as => as.map(a => a.href)")
        overlap = page.evaluate(ICON_OVER_QUERY)
        (screenshots / "desktop").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "desktop" / "search_Kazakhstan.png"), full_page=True)
        page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
        violations = [v for v in page.evaluate(_AXE_JS) if v["impact"] in BLOCKING_IMPACTS]
        fonts: list[str] = []
        page.on("request", lambda r: fonts.append(r.url) if "fontawesome" in r.url.lower() else None)
        with page.expect_navigation():
            page.locator(f'#search-results ul.search li a[href*="{TABLE_1_PAGE}"]').first.click()
        page.locator("#searchbox p.highlight-link a").wait_for(state="visible", timeout=10_000)
        page.wait_for_load_state("networkidle")
    finally:
        page.close()
    assert any(TABLE_1_PAGE in r for r in results), f"search from a chapter misses {TABLE_1_PAGE}: {results}"
    assert overlap is not None and overlap <= 0, f"the magnifier covers the query's first {overlap} px"
    assert not violations, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert not fonts, f"a page opened from a search result loads Font Awesome: {fonts}"
    assert not problems, problems


def test_the_themes_buttons_still_work(browser, site):
    problems: list[str] = []
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _watch(page, site, problems)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        mode = page.evaluate("() => document.documentElement.dataset.mode")
        page.locator("button.theme-switch-button").click()
        now = page.evaluate("() => document.documentElement.dataset.mode")
        assert now != mode, f"the colour-mode button does nothing (mode stays {mode!r})"
        shown = page.locator("button.theme-switch-button .theme-switch").evaluate_all(
            "ss => ss.filter((s) => s.getBoundingClientRect().width > 0).length"
        )
        assert shown == 1, f"the colour-mode button shows {shown} icons, not one"

        # (The sidebar buttons are tested below. With the pinned pair, sphinx-book-theme 1.2.0
        # and pydata-sphinx-theme 0.16.1, the page has one `.primary-toggle` and it works; on
        # pydata-sphinx-theme 0.17 a hidden second one takes its handler: pydata-sphinx-theme #2451.)
        download = page.locator('button[aria-label="Download this page"]')
        if download.count():
            download.click()
            page.locator(".dropdown-download-buttons .dropdown-menu").wait_for(state="visible", timeout=5_000)
            page.keyboard.press("Escape")

        toggle = page.locator("div.cell.tag_hide-input details summary").first
        assert toggle.count(), "no show-code toggle on the Table 1 chapter"
        cell = page.locator("div.cell.tag_hide-input .cell_input").first
        assert not cell.is_visible(), "hidden code is shown before the toggle"
        toggle.click()
        cell.wait_for(state="visible", timeout=5_000)
        assert page.locator("button.copybtn").count() > 0, "the copy buttons are missing (copybutton.js did not run)"

        # No floating "Back to top" over the figures when the reader scrolls back up (the
        # theme's script would show it then), and no error from the theme's script.
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(300)
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(300)
        assert page.locator("#pst-back-to-top").count() == 1, "the theme's button is gone: its script then throws"
        assert not page.locator("#pst-back-to-top").is_visible(), "a 'Back to top' button floats over the page"
    finally:
        page.close()
    assert not problems, problems


# --------------------------------------------------------------------------- finding one's way (issue 20)

#: The primary sidebar and its visible chapter links, as a reader sees them.
SIDEBAR_LINKS = """() => {
  const s = document.querySelector('.bd-sidebar-primary');
  if (!s) return null;
  const r = s.getBoundingClientRect(), cs = getComputedStyle(s);
  const shown = r.width > 0 && r.right > 5 && r.left < innerWidth && cs.visibility !== 'hidden';
  const links = Array.from(s.querySelectorAll('nav.bd-docs-nav a.reference.internal'))
    .filter((a) => { const q = a.getBoundingClientRect(); return q.width > 0 && q.height > 0; })
    .map((a) => a.getAttribute('href'));
  return {shown, links};
}"""


def test_on_a_phone_the_menu_opens_lists_every_chapter_and_a_tap_navigates(browser, site):
    from halfopen_book import run

    problems: list[str] = []
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _watch(page, site, problems)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        before = page.evaluate(SIDEBAR_LINKS)
        assert before and not before["shown"], "the menu is open before the reader asks for it"
        page.locator(".primary-toggle:visible").first.tap()
        page.wait_for_function(f"() => ({SIDEBAR_LINKS})().shown", timeout=5_000)
        opened = page.evaluate(SIDEBAR_LINKS)
        # the page the reader is on is listed too, as a link to itself ("#")
        listed = {href.rsplit("/", 1)[-1].removesuffix(".html") for href in opened["links"] if href != "#"}
        if "#" in opened["links"]:
            listed.add(TABLE_1_PAGE.rsplit("/", 1)[-1].removesuffix(".html"))
        missing = [c.name for c in run.chapters() if c.name not in listed]
        assert not missing, f"the phone menu does not list: {missing}"
        target = next(h for h in opened["links"] if "15_half_open_specifications" in h)
        with page.expect_navigation(timeout=10_000):
            page.locator(f'.bd-sidebar-primary a.reference.internal[href="{target}"]').first.tap()
        assert page.url.endswith("chapters/15_half_open_specifications.html"), page.url
    finally:
        context.close()
    assert not problems, problems


def test_on_a_phone_the_contents_button_opens_the_pages_contents(browser, site):
    in_view = SIDEBAR_LINKS.replace(".bd-sidebar-primary", ".bd-sidebar-secondary").replace(
        "nav.bd-docs-nav a.reference.internal", "nav a.nav-link"
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(site + "chapters/15_half_open_specifications.html", wait_until="load")
        assert not page.evaluate(in_view)["shown"], "the page's contents are open before the reader asks"
        page.locator(".secondary-toggle:visible").first.tap()
        page.wait_for_function(f"() => ({in_view})().shown", timeout=5_000)
        shown = page.locator(".bd-sidebar-secondary nav a.nav-link").all_inner_texts()
    finally:
        context.close()
    assert "The curve" in [t.strip() for t in shown] and "Country by country" in [t.strip() for t in shown], shown


def test_on_a_desktop_the_menu_button_folds_and_unfolds_the_sidebar(browser, site):
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        assert page.evaluate(SIDEBAR_LINKS)["shown"], "the sidebar is not shown on a desktop"
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(f"() => !({SIDEBAR_LINKS})().shown", timeout=5_000)
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(f"() => ({SIDEBAR_LINKS})().shown", timeout=5_000)
    finally:
        page.close()
