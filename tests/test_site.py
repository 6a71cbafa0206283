"""The published site is light and findable (issue 14 §3): what does not depend on timing.

Lighthouse's performance score depends on timing, so it stays in ``benchmarks/lighthouse.py``.
These tests assert what it rests on, on every page of the session's built book (the
``built_book`` fixture; ``HALFOPEN_TEST_HTML=/path/to/html`` uses an existing site instead):

* each page, loaded by Debian's chromium at phone size as Lighthouse's mobile preset loads it,
  transfers at most 400 KB, counting text as a static host serves it (gzip-compressed) and
  images as they are; it logs no console error and loads nothing from another site;
* no page loads Font Awesome's script or fonts, and its icons are still drawn (each icon class
  has its SVG in ``halfopen-icons.css``, read with a CSS parser; in the browser, icons with a
  size and that SVG as their mask); only the search page loads the search index;
* no control's ``aria-label`` hides the text it shows, and every ``role="list"`` holds list items
  (:func:`label_problems`: the slips ``_static/a11y.js`` used to repair in the browser);
* searching from a chapter's search box reaches the search page and finds "Kazakhstan"; the
  colour-mode, download-menu, show-code and copy buttons still work (the theme's scripts are
  deferred, not broken);
* every page has a favicon, a meta description taken from its text, Open Graph and Twitter card
  tags; every image in an article has a width and height, and (in the browser, at phone size)
  an image below the first screen loads lazily;
* with an address set (Sphinx then writes ``<link rel="canonical">``): ``og:url`` is the page's
  address, the preview image is a PNG by absolute address that the site holds, and
  ``sitemap.xml`` (listing every page) and ``robots.txt`` (naming the sitemap) exist; without
  one, no page names any URL of the site and there is no sitemap.

The pages are read with Beautiful Soup, never with the code that wrote them. The static checks
are plain functions (:func:`page_problems`, :func:`sitemap_problems`) so that
a test that builds the book with an address (``tests/test_publish.py``) can run them too.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import tinycss2
from bs4 import BeautifulSoup
from test_browser import PHONE, TABLE_1_PAGE, _watch, browser, html_dir, site  # noqa: F401 - fixtures

from halfopen_book import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The goal of issue 14: at most this much transferred per page, figures included.
MAX_KB = 400
#: What search engines show of a meta description, about.
DESCRIPTION_CHARS = 160
#: Content types a static host compresses (GitHub Pages does).
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: Font Awesome's classes that say how an icon is drawn, not which one it is.
ICON_MODIFIERS = {"fa-solid", "fa-regular", "fa-brands", "fa-lg", "fa-fw", "fa-xs", "fa-sm", "fa-xl", "fa-2x"}


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


def _parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.head.find("meta", attrs={"name": key}) or soup.head.find("meta", attrs={"property": key})
    return tag.get("content") if tag else None


def _text(element) -> str:
    return " ".join(element.get_text(" ").split())


def _bare(text) -> str:
    """Text without any whitespace (a link inside a sentence adds spaces around it when extracted)."""
    return re.sub(r"\s+", "", text if isinstance(text, str) else text.get_text())


def icon_classes(html: Path) -> set[str]:
    """The icon classes (``fa-bars``) that the site's icon stylesheet draws, read with a CSS parser."""
    sheet = (html / "_static" / "halfopen-icons.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True)
    return {
        name
        for rule in rules
        if rule.type == "qualified-rule" and "--halfopen-icon" in tinycss2.serialize(rule.content)
        for name in re.findall(r"\.(fa-[a-z0-9-]+)", tinycss2.serialize(rule.prelude))
    }


# --------------------------------------------------------------------------- static checks


def page_problems(html: Path, rel: str) -> list[str]:
    """What one published page lacks or loads wrongly, read from its HTML with a parser (empty when fine)."""
    page = html / rel
    soup = _parse(page)
    head = soup.head
    problems = []

    def problem(message: str) -> None:
        problems.append(f"{rel}: {message}")

    loaded = [t.get("src") or t.get("href") or "" for t in soup.find_all(["script", "link"])]
    if [u for u in loaded if "fontawesome" in u.lower()]:
        problem("still loads Font Awesome's script or styles")
    drawn = icon_classes(html)
    for icon in soup.select('[class*="fa-"]'):
        names = [c for c in icon.get("class", []) if c.startswith("fa-") and c not in ICON_MODIFIERS]
        if names and not set(names) & drawn:
            problem(f"an icon that halfopen-icons.css does not draw: {icon}")
    searching = rel == "search.html"
    scripts = [urlsplit(s["src"]).path.rsplit("/", 1)[-1] for s in head.find_all("script", src=True)]
    for script in ("searchindex.js", "searchtools.js", "language_data.js"):
        if (script in scripts) != searching:
            problem(f"{script} is {'missing' if searching else 'loaded'} (only the search page loads the index)")
    blocking = [
        s["src"]
        for s in head.find_all("script", src=True)
        if not s.has_attr("defer") and not s.has_attr("async") and "documentation_options.js" not in s["src"]
    ]
    if blocking:
        problem(f"scripts that block the first paint (not deferred): {blocking}")
    icon = head.find("link", rel="icon")
    if not icon or not (page.parent / urlsplit(icon["href"]).path).is_file():
        problem(f"no favicon, or its file is missing ({icon})")

    description = _meta(soup, "description")
    article = soup.find("article", class_="bd-article")
    # The page's prose: its paragraphs, less the line of PDF links the published build adds.
    prose = [p for p in article.find_all("p") if "halfopen-pdf-links" not in p.get("class", [])] if article else []
    if not description:
        problem("no meta description")
    elif len(description) > DESCRIPTION_CHARS:
        problem(f"meta description of {len(description)} characters (search engines show about 160)")
    elif prose and _bare(description.rstrip("…"))[:60] not in _bare(article):
        problem(f"meta description {description!r} is not taken from the page's text")
    elif not prose and description != _meta(soup, "og:site_name"):
        problem(f"meta description {description!r} of a page without prose is not the book's name")
    for key in ("og:title", "og:description", "og:type", "og:site_name", "twitter:card", "twitter:title"):
        if not _meta(soup, key):
            problem(f"no {key} tag")

    canonical = head.find("link", rel="canonical")
    image = _meta(soup, "og:image")
    if canonical:
        if _meta(soup, "og:url") != canonical["href"]:
            problem(f"og:url {_meta(soup, 'og:url')!r} is not the canonical address {canonical['href']!r}")
        root = urljoin(canonical["href"], soup.html["data-content_root"])
        if not image or not image.startswith(("https://", "http://")) or not image.endswith(".png"):
            problem(f"og:image {image!r} is not a PNG by absolute address")
        elif not image.startswith(root) or not (html / image[len(root) :]).is_file():
            problem(f"og:image {image!r} is not a file of this site")
        if _meta(soup, "twitter:card") != "summary_large_image" or _meta(soup, "twitter:image") != image:
            problem("the Twitter card does not show the preview image")
    else:
        for key in ("og:url", "og:image", "twitter:image"):
            if _meta(soup, key) is not None:
                problem(f"{key} without an address set: {_meta(soup, key)!r}")

    for img in article.find_all("img") if article else []:
        if not (re.fullmatch(r"\d+", img.get("width", "")) and re.fullmatch(r"\d+", img.get("height", ""))):
            problem(f"an image without width and height (the page shifts as it loads): {str(img)[:160]}")
    problems += [f"{rel}: {p}" for p in label_problems(soup)]
    return problems


def label_problems(soup: BeautifulSoup) -> list[str]:
    """Accessibility slips the published HTML must not have (each once repaired by a script).

    * a control whose ``aria-label`` does not contain the text it shows (WCAG 2.5.3, axe
      ``label-content-name-mismatch``): the theme's search button ("Search" on "Search Ctrl+K"),
      myst-nb's code toggles ("Toggle hidden content" on "Show code cell source");
    * a ``role="list"`` whose children are not list items (axe ``aria-required-children``):
      Docutils' bibliography entries, ``role="doc-biblioentry"``.
    """
    problems = []
    for control in soup.select("button[aria-label], summary[aria-label], a[aria-label]"):
        shown = _text(control).lower()
        if shown and shown not in control["aria-label"].lower():
            problems.append(f"aria-label {control['aria-label']!r} hides the text it shows, {_text(control)!r}")
    for listing in soup.select('[role="list"]'):
        for child in listing.find_all(True, recursive=False):
            if child.get("role") != "listitem" and child.name != "li":
                problems.append(f"a list whose child is not a list item: {str(child)[:120]}")
    return problems


def test_every_page_is_findable_and_light_in_its_html(html_dir):  # noqa: F811 - the fixture
    pages = site_pages(html_dir)
    assert TABLE_1_PAGE in pages and "search.html" in pages, pages
    problems = [p for rel in pages for p in page_problems(html_dir, rel)]
    assert not problems, "\n".join(problems)


def sitemap_problems(html: Path) -> list[str]:
    """With an address set: a sitemap listing every page's address, and a robots.txt naming it.
    Without one: no sitemap (it could only list invented addresses)."""
    intro = _parse(html / "intro.html")
    canonical = intro.head.find("link", rel="canonical")
    sitemap = html / "sitemap.xml"
    if not canonical:
        return [f"a sitemap without an address set: {sitemap}"] if sitemap.exists() else []
    if not sitemap.is_file():
        return ["an address is set but there is no sitemap.xml"]
    root = urljoin(canonical["href"], intro.html["data-content_root"])
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


def test_sitemap_exactly_when_an_address_is_set(html_dir):  # noqa: F811 - the fixture
    problems = sitemap_problems(html_dir)
    assert not problems, "\n".join(problems)


def test_with_an_address_every_page_names_it_and_the_sitemap_lists_it(published_book):
    """The book built with an address: og:url is each page's canonical address, the preview image a
    PNG of the site by absolute address, and the sitemap lists every page."""
    html = published_book["html"]
    problems = [p for rel in site_pages(html) for p in page_problems(html, rel)] + sitemap_problems(html)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- in the browser


#: The icons a reader sees: Font Awesome's icon elements with a size and their SVG as a mask.
DRAWN_ICONS = """() => Array.from(document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')).filter((e) => {
  const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
  const mask = cs.maskImage || cs.webkitMaskImage;
  return r.width > 0 && r.height > 0 && mask && mask.startsWith('url("data:image/svg+xml');
}).length"""
#: The article's images that start below the first screen and are not loaded lazily.
EAGER_BELOW_THE_FOLD = """() => Array.from(document.querySelectorAll('article.bd-article img')).filter(
  (img) => img.getBoundingClientRect().top + scrollY > innerHeight && img.loading !== 'lazy').map((img) => img.src)"""


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
                icons = page.evaluate(DRAWN_ICONS)
                eager = page.evaluate(EAGER_BELOW_THE_FOLD)
                problems += [f"an image below the fold that is not lazy: {src}" for src in eager]
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
    assert not no_icons, f"pages that show no icon drawn from its SVG (halfopen-icons.css): {no_icons}"
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
        # A result opens its page with the matches marked and a "Hide search matches" link,
        # whose icon is drawn like the others, not from Font Awesome's font.
        fonts: list[str] = []
        page.on("request", lambda r: fonts.append(r.url) if "fontawesome" in r.url.lower() else None)
        with page.expect_navigation():
            page.locator(f'#search-results ul.search li a[href*="{TABLE_1_PAGE}"]').first.click()
        page.locator("#searchbox p.highlight-link a").wait_for(state="visible", timeout=10_000)
        page.wait_for_load_state("networkidle")
    finally:
        page.close()
    assert any(TABLE_1_PAGE in r for r in results), f"search from a chapter misses {TABLE_1_PAGE}: {results}"
    assert not fonts, f"a page opened from a search result loads Font Awesome: {fonts}"
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


#: How far the search field's magnifier reaches into the text of the query (px; 0 or less: clear of it).
ICON_OVER_QUERY = """() => {
  const input = Array.from(document.querySelectorAll('input[name=q]')).find((i) => i.getBoundingClientRect().width > 0);
  const icon = input && input.parentElement.querySelector('.fa-magnifying-glass');
  if (!icon) return null;
  const textStart = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
  return icon.getBoundingClientRect().right - textStart;
}"""


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
        page.goto(site + "search.html?q=Kazakhstan", wait_until="load")
        overlap = page.evaluate(ICON_OVER_QUERY)
    finally:
        page.close()
    assert overlap is not None and overlap <= 0, (
        f"the magnifier covers the query's first {overlap} px on the search page"
    )
    wrong = {rel: n for rel, n in fields.items() if n != 1}
    assert "search.html" in fields and not wrong, f"pages without exactly one search field: {wrong}"
