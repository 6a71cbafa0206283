"""The published site is light and findable (issue 14 §3), read from its HTML: what does not
depend on timing.

Lighthouse's performance score depends on timing, so it stays in ``benchmarks/lighthouse.py``;
what the pages transfer, draw and load in a browser is checked in ``tests/test_browser.py``.
These tests read every page of the session's built book with a parser (the ``html_dir``
fixture; ``HALFOPEN_TEST_HTML=/path/to/html`` uses an existing site instead):

* no page loads Font Awesome's script or styles, and each icon class a page uses has its SVG in
  ``halfopen-icons.css`` (read with a CSS parser); only the search page loads the search index;
  no script blocks the first paint;
* no control's ``aria-label`` hides the text it shows, and every ``role="list"`` holds list items
  (:func:`label_problems`: the slips ``_static/a11y.js`` used to repair in the browser);
* every page has a favicon, a meta description taken from its text, Open Graph and Twitter card
  tags; every image in an article has a width and height;
* with an address set (Sphinx then writes ``<link rel="canonical">``): ``og:url`` is the page's
  address, the preview image is a PNG by absolute address that the site holds, and
  ``sitemap.xml`` (listing every page) and ``robots.txt`` (naming the sitemap) exist; without
  one, no page names any URL of the site and there is no sitemap.

The pages are read with Beautiful Soup, never with the code that wrote them. The static checks
are plain functions (:func:`page_problems`, :func:`sitemap_problems`) so that
a test that builds the book with an address (``tests/test_publish.py``) can run them too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import tinycss2
from bs4 import BeautifulSoup

from halfopen_book import build

pytestmark = pytest.mark.slow

#: What search engines show of a meta description, about.
DESCRIPTION_CHARS = 160
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


def test_every_page_is_findable_and_light_in_its_html(html_dir):
    pages = site_pages(html_dir)
    assert "chapters/02_open_government_in_central_asia.html" in pages and "search.html" in pages, pages
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


def test_sitemap_exactly_when_an_address_is_set(html_dir):
    problems = sitemap_problems(html_dir)
    assert not problems, "\n".join(problems)


def test_with_an_address_every_page_names_it_and_the_sitemap_lists_it(published_book):
    """The book built with an address: og:url is each page's canonical address, the preview image a
    PNG of the site by absolute address, and the sitemap lists every page."""
    html = published_book["html"]
    problems = [p for rel in site_pages(html) for p in page_problems(html, rel)] + sitemap_problems(html)
    assert not problems, "\n".join(problems)
