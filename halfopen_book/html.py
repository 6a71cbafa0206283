"""The book's published HTML: light, accessible and findable, without patching the theme.

Two halves, each through a documented interface:

* a Sphinx extension (:func:`setup`, in ``_config.yml``) that writes ``halfopen-icons.css``, the
  theme's Font Awesome icons as SVG masks drawn from the ``fontawesomefree`` package's own SVG
  files (:func:`icon_stylesheet`; ``_templates/layout.html`` leaves out the theme's 1.5 MB icon
  script), and adds a meta description, Open Graph and Twitter card tags to every page from its
  rendered body (:func:`social_tags`, on ``html-page-context``);
* :func:`rewrite`, run by :func:`halfopen_book.build.publish` over each page Sphinx wrote, with
  a real HTML parser (Beautiful Soup): a repeated inline script is dropped, the head's scripts
  are deferred, images get their size and, below the fold, lazy loading, and two accessibility
  slips of other packages' markup are corrected in the HTML itself (:func:`fix_accessibility`).
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree import ElementTree

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

# --------------------------------------------------------------------------- icons

#: The icons the themes name (templates, header buttons, the sidebar's expander; brands for the
#: repository button), by their Font Awesome name: which of fontawesomefree's folders holds it.
ICONS = {
    **dict.fromkeys(
        "angle-left angle-right arrow-up bars chevron-down circle-half-stroke code download expand file "
        "file-pdf home lightbulb list magnifying-glass moon pencil pencil-alt play rocket sun".split(),
        "solid",
    ),
    **dict.fromkeys("github gitlab bitbucket".split(), "brands"),
}
#: Icons the theme's CSS draws with Font Awesome's font, by the rule that draws them.
CSS_ICONS = {
    ".admonition>.admonition-title::after": "bell",  # the theme's default, before the kinds
    **{
        f".admonition.{kind}>.admonition-title::after": icon
        for kind, icon in {
            "note": "circle-info",
            "attention": "circle-exclamation",
            "caution": "triangle-exclamation",
            "warning": "triangle-exclamation",
            "danger": "triangle-exclamation",
            "error": "circle-xmark",
            "hint": "lightbulb",
            "tip": "lightbulb",
            "important": "circle-exclamation",
            "seealso": "share",
            "todo": "pencil",
        }.items()
    },
    "a.reference.download::before": "download",
    # Sphinx's "Hide search matches" link, on a page opened from a search result.
    "div#searchbox p.highlight-link a::before": "magnifying-glass-minus",
}
FONTAWESOME = ("static", "fontawesomefree")


@functools.cache
def _aliases() -> dict[str, str]:
    """Font Awesome's older names (``home``, ``pencil-alt``) -> its file names, from its metadata."""
    meta = importlib.resources.files("fontawesomefree").joinpath(*FONTAWESOME, "metadata", "icons.json")
    icons = json.loads(meta.read_text(encoding="utf-8"))
    return {alias: name for name, icon in icons.items() for alias in (icon.get("aliases") or {}).get("names", [])}


def icon_svg(name: str, style: str = "solid") -> str:
    """Font Awesome's own SVG of an icon, as fontawesomefree ships it (``svgs/STYLE/NAME.svg``)."""
    folder = importlib.resources.files("fontawesomefree").joinpath(*FONTAWESOME, "svgs", style)
    for file in (name, _aliases().get(name, name)):
        if folder.joinpath(f"{file}.svg").is_file():
            return folder.joinpath(f"{file}.svg").read_text(encoding="utf-8")
    raise KeyError(f"fontawesomefree has no {style} icon {name!r}")


def _data_url(svg: str) -> str:
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)  # the licence comment: the stylesheet names it once
    return 'url("data:image/svg+xml,' + quote(svg, safe=" =:/',") + '")'


def icon_stylesheet() -> str:
    """CSS giving each icon class (and each icon the theme's CSS draws) its SVG as ``--halfopen-icon``.

    ``_static/icons.css`` paints ``--halfopen-icon`` as a mask in the text's colour, so the theme's
    ``<i class="fa-solid fa-bars">`` elements show the icon with neither Font Awesome's script
    nor its fonts.
    """
    rules = ["/* Icons: Font Awesome Free 6 (fontawesomefree), CC BY 4.0, https://fontawesome.com/license/free */"]
    for name, style in ICONS.items():
        box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', icon_svg(name, style))
        width = f"width:{float(box.group(1)) / float(box.group(2)):.3g}em}}" if box else "}"
        rules.append(f".fa-{name}{{--halfopen-icon:{_data_url(icon_svg(name, style))}}}")
        rules.append(f".fa-{name}:not(.fa-fw){{{width}")
    for selector, name in CSS_ICONS.items():
        rules.append(f"{selector}{{--halfopen-icon:{_data_url(icon_svg(name))}}}")
    return "\n".join(rules) + "\n"


ICON_CSS = "halfopen-icons.css"


def write_icon_stylesheet(app: Any, exception: Exception | None) -> None:
    """Write ``_static/halfopen-icons.css`` into the HTML output (it is linked from every page)."""
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / "_static" / ICON_CSS).write_text(icon_stylesheet(), encoding="utf-8")


# --------------------------------------------------------------------------- meta tags

#: A meta description's length: search engines show about this many characters.
DESCRIPTION_LENGTH = 160
#: The book card: the preview image of a page that shows no PNG figure of its own.
BOOK_CARD = "_static/card.png"
#: What is not prose, for a page's description.
NOT_PROSE = ("table", "aside", "figure", "pre", "nav", "script", "style", "details")


def first_paragraph(body: BeautifulSoup) -> str:
    """The text of the page's first paragraph of prose, whitespace collapsed ("" if none).

    A first paragraph shorter than 40 characters (a heading-like line) is skipped, and one
    shorter than half a description (one that introduces a quotation with a colon, say) runs on
    into the next, so the description says what the page is.
    """
    found = ""
    for p in body.find_all("p"):
        if p.find_parent(NOT_PROSE) or p.find_parent(class_="cell_output"):
            continue
        text = " ".join(p.get_text(" ").split())
        text = re.sub(r"\s+([,.;:!?)\u2019\u201d])", r"\1", text)
        text = re.sub(r"([(\u2018\u201c])\s+", r"\1", text)
        if not found and len(text) < 40:
            continue
        found = f"{found} {text}".strip()
        if len(found) >= DESCRIPTION_LENGTH // 2:
            break
    return found


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut to at most ``limit`` characters: at the last sentence's end when that keeps
    most of it, else at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentence = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if sentence >= limit // 2:
        return head[: sentence + 1]
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—- ") + "…"


def social_tags(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Add a meta description, Open Graph and Twitter card tags to a page's head.

    The description is the page's first paragraph, shortened. When the book has an address
    (Sphinx then gives the page's canonical ``pageurl``), ``og:url`` is that address and the
    preview image is the page's first PNG figure, or the book card, by absolute address (cards
    take no SVG); without an address no URL is written at all. (sphinxext-opengraph writes a
    relative ``og:url`` without an address, one ``og:type`` for all pages and no Twitter tags.)
    """
    body = BeautifulSoup(context.get("body") or "", "html.parser")  # the search page has none
    book = context.get("docstitle") or app.config.project
    title = BeautifulSoup(context.get("title") or book, "html.parser").get_text()
    description = shorten(first_paragraph(body)) or book
    tags = [] if 'name="description"' in context.get("metatags", "") else [("name", "description", description)]
    tags += [
        ("property", "og:type", "website" if pagename == app.config.root_doc else "article"),
        ("property", "og:site_name", book),
        ("property", "og:title", title),
        ("property", "og:description", description),
    ]
    address = context.get("pageurl")
    image = None
    if address:
        png = next((img for img in body.find_all("img") if urlsplit(img.get("src", "")).path.endswith(".png")), None)
        image = urljoin(address, png["src"]) if png else urljoin(app.config.html_baseurl, BOOK_CARD)
        alt = png.get("alt") if png and png.get("alt") else f"{book}: the book's card"
        tags += [("property", "og:url", address), ("property", "og:image", image)]
        tags.append(("property", "og:image:alt", shorten(alt, 400)))
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags.append(("name", "twitter:image", image))
    context["metatags"] = context.get("metatags", "") + "".join(
        f'<meta {kind}="{key}" content="{html.escape(value, quote=True)}" />\n' for kind, key, value in tags
    )


def setup(app: Any) -> dict[str, Any]:
    app.add_css_file(ICON_CSS)
    app.connect("html-page-context", social_tags)
    app.connect("build-finished", write_icon_stylesheet)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- after Sphinx


class _AsWritten(HTMLFormatter):
    """Beautiful Soup's minimal HTML output (only ``&``, ``<``, ``>`` escaped), with each tag's
    attributes in the order they were written (not sorted) and empty ones as HTML booleans."""

    def attributes(self, tag: Tag) -> list[tuple[str, Any]]:
        return [(k, None if v == "" and self.empty_attributes_are_booleans else v) for k, v in tag.attrs.items()]


AS_WRITTEN = _AsWritten(entity_substitution=EntitySubstitution.substitute_xml, empty_attributes_are_booleans=True)


def serialize(page: BeautifulSoup) -> str:
    """A parsed page as HTML again, as close to how it was written as the parser allows."""
    return page.decode(formatter=AS_WRITTEN)


def drop_repeated_scripts(soup: BeautifulSoup) -> bool:
    """Keep the first of identical ``<script>`` elements and drop the others.

    Jupyter Book's theme and sphinx-thebe each add the same inline ``const THEBE_JS_URL = ...``
    script, and the browser then throws "Identifier 'THEBE_JS_URL' has already been declared"
    on every page. An identical script a second time can only repeat the first one's effect or
    fail, so dropping it is safe.
    """
    seen: set[str] = set()
    dropped = False
    for script in soup.find_all("script"):
        key = str(script)
        if key in seen:
            script.decompose()
            dropped = True
        seen.add(key)
    return dropped


#: Scripts that must run before the inline scripts after them (which set their options).
RUN_AT_ONCE = ("documentation_options.js",)


def defer_scripts(soup: BeautifulSoup) -> bool:
    """Mark the head's classic external scripts ``defer``, keeping their order.

    Deferred scripts run in document order once the page is parsed, before
    ``DOMContentLoaded``, so the theme, copy and toggle buttons still find their elements and
    still see the inline settings written before them; only ``documentation_options.js`` stays
    blocking, because inline scripts right after it extend ``DOCUMENTATION_OPTIONS``.
    """
    changed = False
    for script in soup.head.find_all("script", src=True) if soup.head else []:
        if any(k in script.attrs for k in ("defer", "async", "type")):
            continue
        if urlsplit(script["src"]).path.endswith(RUN_AT_ONCE):
            continue
        script["defer"] = ""
        changed = True
    return changed


#: Characters of text a phone shows above the first screen's fold, roughly: an image that
#: follows more text than this is below the fold and loads lazily.
FOLD_TEXT = 600


def image_size(file: Path) -> tuple[int, int] | None:
    """An image file's intrinsic size in CSS pixels, or None when it cannot be read."""
    if file.suffix.lower() == ".svg":
        parser = ElementTree.XMLPullParser(events=("start",))  # the root's attributes suffice
        parser.feed(file.read_text(encoding="utf-8", errors="replace")[:4000])
        svg = next((element for _, element in parser.read_events()), None)
        if svg is None:
            return None
        dims = [re.fullmatch(r"([\d.]+)(px|pt)?", svg.get(k, "")) for k in ("width", "height")]
        if dims[0] and dims[1]:
            return tuple(round(float(d.group(1)) * (4 / 3 if d.group(2) == "pt" else 1)) for d in dims)  # type: ignore[return-value]
        box = (svg.get("viewBox") or "").split()
        return (round(float(box[2])), round(float(box[3]))) if len(box) == 4 else None
    from PIL import Image

    try:
        with Image.open(file) as im:
            return im.size
    except OSError:
        return None


def size_and_lazy_images(soup: BeautifulSoup, path: Path | None) -> bool:
    """Give every image in the article its width and height, and load those below the fold lazily.

    The size attributes let the browser reserve the image's box before it arrives (no layout
    shift; ``_static/icons.css`` keeps the ratio when CSS narrows it). An image is below the
    fold when more than :data:`FOLD_TEXT` characters of the article's text come before it; every
    image outside the article (the launch buttons' logos, in a closed menu) is too. Sizes are
    read from the image files, found from the page's own file ``path``.
    """
    above: set[int] = set()  # the article's images above the fold
    article: set[int] = set()
    text = 0
    found = soup.find("article", class_="bd-article")
    for node in found.descendants if found else []:
        if type(node) is NavigableString and node.parent.name not in ("script", "style"):
            text += len(" ".join(node.split())) + 1 if node.strip() else 0
        elif isinstance(node, Tag) and node.name == "img":
            article.add(id(node))
            if text <= FOLD_TEXT:
                above.add(id(node))
    changed = False
    for img in soup.find_all("img"):
        src = img.get("src", "")
        if id(img) in article and path and "width" not in img.attrs and not src.startswith(("data:", "http")):
            file = path.parent / unquote(urlsplit(src).path)
            size = image_size(file) if file.is_file() else None
            if size:
                img["width"], img["height"] = map(str, size)
                changed = True
        if id(img) not in above and "loading" not in img.attrs:
            img["loading"], img["decoding"] = "lazy", "async"
            changed = True
    return changed


def fix_accessibility(soup: BeautifulSoup) -> bool:
    """Correct two slips in other packages' markup that axe-core reports as serious.

    * myst-nb names each folded code cell's toggle ``aria-label="Toggle hidden content"``, which
      does not contain what it shows ("Show code cell source"), so a speech-input user who says
      what they see is not understood (WCAG 2.5.3, axe ``label-content-name-mismatch``): the label
      goes, and the toggle is named by its visible text.
    * Docutils marks each bibliography entry ``role="doc-biblioentry"`` inside a
      ``role="list"``; DPUB-ARIA 1.1 deprecates that role, so the list has no list items
      (axe ``aria-required-children``): each entry becomes a ``listitem``.
    """
    changed = False
    for summary in soup.select("details.hide > summary[aria-label]"):
        if summary["aria-label"].lower() not in summary.get_text(" ").lower():
            del summary["aria-label"]
            changed = True
    for entry in soup.select('[role="list"] > [role="doc-biblioentry"]'):
        entry["role"] = "listitem"
        changed = True
    return changed


def rewrite(page: BeautifulSoup, path: Path | None = None) -> bool:
    """Every step over one page Sphinx wrote, parsed (``path``: its file, for the images' sizes);
    whether any changed it.

    Pages the book's theme did not write (Jupyter Book's redirecting ``index.html``) only lose
    repeated scripts.
    """
    changed = drop_repeated_scripts(page)
    root = page.find("html")
    if root is not None and root.has_attr("data-content_root"):
        changed |= defer_scripts(page)
        changed |= size_and_lazy_images(page, path)
        changed |= fix_accessibility(page)
    return changed
