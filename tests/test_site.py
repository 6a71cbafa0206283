"""The published site is light and findable (issue 14 §3): what does not depend on timing.

Lighthouse's performance score depends on timing, so it stays in ``benchmarks/lighthouse.py``.
These tests assert what it rests on, on every page of the session's built book (the
``built_book`` fixture; ``HALFOPEN_TEST_HTML=/path/to/html`` uses an existing site instead):

* each page, loaded by Debian's chromium at phone size as Lighthouse's mobile preset loads it,
  transfers at most 400 KB, counting text as a static host serves it (gzip-compressed) and
  images as they are; it logs no console error and loads nothing from another site;
* no page loads Font Awesome's script or fonts, and its icons are still drawn (inline SVG with
  a visible size); only the search page loads the search index;
* searching from a chapter's search box reaches the search page and finds "Kazakhstan"; the
  colour-mode, download-menu, show-code and copy buttons still work (the theme's scripts are
  deferred, not broken);
* every page has a favicon, a meta description taken from its first paragraph, Open Graph and
  Twitter card tags; every image in an article has a width and height, and an image below the
  fold loads lazily;
* with an address set (Sphinx then writes ``<link rel="canonical">``): ``og:url`` is the page's
  address, the preview image is a PNG by absolute address that the site holds, and
  ``sitemap.xml`` (listing every page) and ``robots.txt`` (naming the sitemap) exist; without
  one, no page names any URL of the site and there is no sitemap.

The static checks are plain functions (:func:`page_problems`, :func:`sitemap_problems`) so that
a test that builds the book with an address (``tests/test_publish.py``) can run them too.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from test_browser import PHONE, TABLE_1_PAGE, _watch, browser, html_dir, site  # noqa: F401 - fixtures

from halfopen_book import build
from halfopen_book import html as html_steps

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The goal of issue 14: at most this much transferred per page, figures included.
MAX_KB = 400
#: Content types a static host compresses (GitHub Pages does).
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_pages(html: Path) -> list[str]:
    """Every page of a built site (relative paths), redirects and ``_`` folders left out."""
    found = []
    for page in sorted(html.rglob("*.html")):
        rel = page.relative_to(html).as_posix()
        text = page.read_text(encoding="utf-8")
        if rel.startswith("_") or "/_" in rel or (len(text) < 1000 and "http-equiv" in text.lower()):
            continue
        found.append(rel)
    return found


def _meta(text: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', text)
    return html_steps.html.unescape(found.group(1)) if found else None


# --------------------------------------------------------------------------- static checks


def page_problems(html: Path, rel: str) -> list[str]:
    """What one published page lacks or loads wrongly, read from its HTML (empty when fine)."""
    page = html / rel
    text = page.read_text(encoding="utf-8")
    head = text[: text.find("</head>")]
    problems = []

    def problem(message: str) -> None:
        problems.append(f"{rel}: {message}")

    if "fontawesome" in text.lower() or re.search(r'<i\s+class="[^"]*\bfa-', text):
        problem("still loads Font Awesome or has an <i class='fa-...'> icon the script would draw")
    searching = rel == "search.html"
    for script in ("searchindex.js", "searchtools.js", "language_data.js"):
        if (script in head) != searching:
            problem(f"{script} is {'missing' if searching else 'loaded'} (only the search page loads the index)")
    blocking = [
        s
        for s in re.findall(r"<script\b([^>]*)>", head)
        if "src=" in s and not re.search(r"\b(defer|async)\b", s) and "documentation_options.js" not in s
    ]
    if blocking:
        problem(f"scripts that block the first paint (not deferred): {blocking}")
    icon = re.search(r'<link rel="icon" href="([^"]+)"', head)
    if not icon or not (page.parent / urlsplit(icon.group(1)).path).is_file():
        problem(f"no favicon, or its file is missing ({icon.group(1) if icon else 'no <link rel=icon>'})")

    description = _meta(head, "description")
    first = html_steps.first_paragraph(text)
    if not description:
        problem("no meta description")
    elif len(description) > html_steps.DESCRIPTION_LENGTH:
        problem(f"meta description of {len(description)} characters (search engines show about 160)")
    elif first and not first.startswith(description.rstrip("…")):
        problem(f"meta description {description!r} is not the start of the first paragraph {first[:200]!r}")
    for key in ("og:title", "og:description", "og:type", "og:site_name", "twitter:card", "twitter:title"):
        if not _meta(head, key):
            problem(f"no {key} tag")

    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', head)
    image = _meta(head, "og:image")
    if canonical:
        if _meta(head, "og:url") != html_steps.html.unescape(canonical.group(1)):
            problem(f"og:url {_meta(head, 'og:url')!r} is not the canonical address {canonical.group(1)!r}")
        base = html_steps.html.unescape(canonical.group(1))
        root = urljoin(base, html_steps.page_root(text))
        if not image or not image.startswith(("https://", "http://")) or not image.endswith(".png"):
            problem(f"og:image {image!r} is not a PNG by absolute address")
        elif not image.startswith(root) or not (html / image[len(root) :]).is_file():
            problem(f"og:image {image!r} is not a file of this site")
        if _meta(head, "twitter:card") != "summary_large_image" or _meta(head, "twitter:image") != image:
            problem("the Twitter card does not show the preview image")
    else:
        for key in ("og:url", "og:image", "twitter:image"):
            if _meta(head, key) is not None:
                problem(f"{key} without an address set: {_meta(head, key)!r}")

    article = html_steps.ARTICLE.search(text)
    if article:
        start = article.end()
        for tag in html_steps.IMG.finditer(text, start):
            img = tag.group(0)
            if not (re.search(r'\swidth="\d+"', img) and re.search(r'\sheight="\d+"', img)):
                problem(f"an image without width and height (the page shifts as it loads): {img[:160]}")
            below = html_steps.visible_text_length(text[start : tag.start()]) > html_steps.FOLD_TEXT
            if below and 'loading="lazy"' not in img:
                problem(f"an image below the fold that is not lazy: {img[:160]}")
    return problems


def sitemap_problems(html: Path) -> list[str]:
    """With an address set: a sitemap listing every page's address, and a robots.txt naming it.
    Without one: no sitemap (it could only list invented addresses)."""
    intro = (html / "intro.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', intro)
    sitemap = html / "sitemap.xml"
    if not canonical:
        return [f"a sitemap without an address set: {sitemap}"] if sitemap.exists() else []
    if not sitemap.is_file():
        return ["an address is set but there is no sitemap.xml"]
    root = urljoin(html_steps.html.unescape(canonical.group(1)), html_steps.page_root(intro))
    listed = {loc.text for loc in ET.parse(sitemap).getroot().iter(SITEMAP_NS + "loc")}
    excluded = getattr(build, "SITEMAP_EXCLUDES", ["search.html", "genindex.html"])  # tools, not content
    wanted = [root + rel for rel in site_pages(html) if rel not in excluded]
    problems = [f"sitemap.xml lacks {url}" for url in wanted if url not in listed]
    problems += [f"sitemap.xml lists {url}, not a page of the site" for url in listed if not url.startswith(root)]
    robots = html / "robots.txt"
    if not robots.is_file():
        problems.append("an address is set but there is no robots.txt")
    elif f"Sitemap: {root}sitemap.xml" not in robots.read_text(encoding="utf-8"):
        problems.append(f"robots.txt does not name the sitemap {root}sitemap.xml")
    return problems


def test_every_page_is_findable_and_light_in_its_html(html_dir):  # noqa: F811 - the fixture
    pages = site_pages(html_dir)
    assert TABLE_1_PAGE in pages and "search.html" in pages, pages
    problems = [p for rel in pages for p in page_problems(html_dir, rel)]
    assert not problems, "\n".join(problems)


def test_sitemap_exactly_when_an_address_is_set(html_dir):  # noqa: F811 - the fixture
    problems = sitemap_problems(html_dir)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def phone_loads(browser, site, html_dir):  # noqa: F811 - the fixtures
    """Every page loaded at phone size: (transferred bytes, [(bytes, url)], problems, icons)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    result = {}
    try:
        for rel in site_pages(html_dir):
            problems: list[str] = []
            sizes: list[tuple[int, str]] = []
            page = context.new_page()
            _watch(page, site, problems)

            def count(response, sizes=sizes):
                if not response.url.startswith(site) or response.status >= 300:
                    return
                body = response.body()
                kind = response.headers.get("content-type", "")
                sizes.append((len(gzip.compress(body, 6)) if kind.startswith(COMPRESSED) else len(body), response.url))

            page.on("response", count)
            try:
                page.goto(site + rel, wait_until="load")
                page.wait_for_load_state("networkidle")
                icons = page.evaluate(
                    """() => Array.from(document.querySelectorAll('svg.svg-inline--fa')).filter((s) => {
                         const r = s.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length"""
                )
            finally:
                page.close()
            result[rel] = (sum(n for n, _ in sizes), sorted(sizes, reverse=True), problems, icons)
    finally:
        context.close()
    return result


def test_every_page_transfers_at_most_400_kb(phone_loads):
    heavy = {
        rel: f"{total / 1024:,.0f} KB; heaviest: "
        + ", ".join(f"{u.rsplit('/', 1)[-1]} {n / 1024:,.0f} KB" for n, u in items[:4])
        for rel, (total, items, _, _) in phone_loads.items()
        if total > MAX_KB * 1024
    }
    assert not heavy, heavy


def test_every_page_loads_without_errors_and_draws_its_icons(phone_loads):
    problems = {rel: p for rel, (_, _, p, _) in phone_loads.items() if p}
    assert not problems, problems
    no_icons = [rel for rel, (*_, icons) in phone_loads.items() if icons == 0]
    assert not no_icons, f"pages that show no icon at all (the header's are inline SVG): {no_icons}"
    loaded = {u for _, items, _, _ in phone_loads.values() for _, u in items}
    assert not [u for u in loaded if "fontawesome" in u or "webfonts" in u], "Font Awesome is still loaded"


def test_search_from_a_chapter_finds_kazakhstan(browser, site):  # noqa: F811 - the fixture
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
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
    finally:
        page.close()
    assert any(TABLE_1_PAGE in r for r in results), f"search from a chapter misses {TABLE_1_PAGE}: {results}"
    assert not problems, problems


def test_the_themes_buttons_still_work(browser, site):  # noqa: F811 - the fixture
    problems: list[str] = []
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _watch(page, site, problems)
    try:
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        mode = page.evaluate("() => document.documentElement.dataset.mode")
        page.locator("button.theme-switch-button").click()
        now = page.evaluate("() => document.documentElement.dataset.mode")
        assert now != mode, f"the colour-mode button does nothing (mode stays {mode!r})"
        shown = page.locator("button.theme-switch-button svg.theme-switch").evaluate_all(
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
#: What a reader takes for a search field: the theme's search button, or a search box.
SEARCH_FIELDS = "input[type=search], input[name=q], button.search-button-field"
VISIBLE_COUNT = """(sel) => Array.from(document.querySelectorAll(sel)).filter((e) => {
  const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth;
}).length"""


def test_on_a_phone_the_menu_opens_lists_every_chapter_and_a_tap_navigates(browser, site):  # noqa: F811
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


def test_on_a_phone_the_contents_button_opens_the_pages_contents(browser, site):  # noqa: F811 - the fixture
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


def test_on_a_desktop_every_page_has_one_search_field_and_the_menu_button_folds_the_sidebar(
    browser,  # noqa: F811 - the fixture
    site,  # noqa: F811 - the fixture
    html_dir,  # noqa: F811 - the fixture
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fields = {}
    try:
        for rel in site_pages(html_dir):
            page.goto(site + rel, wait_until="load")
            fields[rel] = page.evaluate(VISIBLE_COUNT, SEARCH_FIELDS)
        page.goto(site + TABLE_1_PAGE, wait_until="load")
        assert page.evaluate(SIDEBAR_LINKS)["shown"], "the sidebar is not shown on a desktop"
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(f"() => !({SIDEBAR_LINKS})().shown", timeout=5_000)
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(f"() => ({SIDEBAR_LINKS})().shown", timeout=5_000)
    finally:
        page.close()
    wrong = {rel: n for rel, n in fields.items() if n != 1}
    assert "search.html" in fields and not wrong, f"pages without exactly one search field: {wrong}"
