"""Steps over the book's own published HTML, after Sphinx has written it.

These change nothing Sphinx or the theme decide about a page's content; they correct what the
assembled page repeats, and make it light and findable for a reader on a phone (issue 14):

* a repeated inline script is dropped (:func:`drop_repeated_scripts`);
* the theme's Font Awesome icons (``<i class="fa-solid fa-bars">``) become inline SVG, drawn
  from the very icon data of the theme's own ``fontawesome.js``, and that 1.5 MB script is
  no longer loaded (:func:`inline_icons`); the icons the theme's CSS draws with Font
  Awesome's font become SVG masks, so the font is not loaded either (:func:`css_icons`);
* the search index and its scripts are loaded by the search page only: every other page's
  search box sends the reader there (:func:`search_only_on_search_page`);
* the theme's scripts are deferred, so the text is drawn before they run (:func:`defer_scripts`);
* images carry their width and height (no layout shift) and load lazily below the fold
  (:func:`size_and_lazy_images`);
* a meta description from the page's first paragraph, Open Graph and Twitter card tags, and,
  when the book has an address (Sphinx then writes ``<link rel="canonical">``), the page's
  address and a PNG preview image by absolute address (:func:`social_tags`).

Each is a plain function of a page's text (the image sizes also need the page's file, to find
the images), applied by :func:`halfopen_book.build.publish` to every page it publishes through
:func:`rewrite`. Every step leaves a page it has already rewritten unchanged.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

#: A whole ``<script>`` element, inline or with a ``src``.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


def drop_repeated_scripts(page: str) -> str:
    """Keep the first of byte-identical ``<script>`` elements and drop the others.

    With launch buttons on, Jupyter Book's theme and sphinx-thebe each add the same inline
    ``const THEBE_JS_URL = ...`` script, and the browser then throws "Identifier
    'THEBE_JS_URL' has already been declared" on every page. An identical script a second
    time can only repeat the first one's effect or fail, so dropping it is safe.
    """
    seen: set[str] = set()

    def first_only(match: re.Match[str]) -> str:
        element = match.group(0)
        if element in seen:
            return ""
        seen.add(element)
        return element

    return SCRIPT.sub(first_only, page)


# --------------------------------------------------------------------------- icons

#: The theme's Font Awesome bundle, as pydata-sphinx-theme ships it (and Sphinx copies it to
#: every site's ``_static/scripts/``). Its icon packs are plain data inside the script.
FONTAWESOME_JS = ("theme", "pydata_sphinx_theme", "static", "scripts", "fontawesome.js")
#: One icon of a pack: ``"name":[width,height,[aliases],"unicode","path"]``.
FA_ICON = re.compile(r'"?([a-z0-9-]+)"?:\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]')
#: Where a pack's data ends: the call that registers it under its prefix (``fas``, ``far``, ``fab``).
FA_PACK_END = re.compile(r'\bd\("(fa[a-z]?)",p\)')
#: Font Awesome's class names for the packs.
FA_PREFIXES = {
    "fa-solid": "fas",
    "fas": "fas",
    "fa-regular": "far",
    "far": "far",
    "fa-brands": "fab",
    "fab": "fab",
}
#: Classes that say how an icon is drawn, not which one it is.
FA_MODIFIERS = {
    "fa-lg",
    "fa-xs",
    "fa-sm",
    "fa-xl",
    "fa-2xl",
    "fa-fw",
    "fa-spin",
    "fa-pulse",
    "fa-border",
    "fa-inverse",
    "fa-1x",
    "fa-2x",
    "fa-3x",
}
#: An icon element as the theme writes it: ``<i class="... fa-NAME ..." ...></i>`` (or a ``span``).
ICON_ELEMENT = re.compile(r'<(i|span)\s+class="([^"]*\bfa-[^"]*)"([^>]*)>\s*</\1>', re.I)
FONTAWESOME_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="[^"]*/fontawesome\.js[^"]*"[^>]*>\s*</script>\s*', re.I)


@functools.cache
def fontawesome_icons() -> dict[tuple[str, str], tuple[int, int, str]]:
    """Every icon of the theme's Font Awesome bundle: (prefix, name) -> (width, height, path).

    Read from the script pydata-sphinx-theme ships, so the SVG drawn is exactly the icon the
    script would have drawn, for whatever version of the theme is installed.
    """
    script = importlib.resources.files("pydata_sphinx_theme").joinpath(*FONTAWESOME_JS).read_text(encoding="utf-8")
    icons: dict[tuple[str, str], tuple[int, int, str]] = {}
    start = 0
    for end in FA_PACK_END.finditer(script):
        pack = script[script.rfind("var p={", start, end.start()) : end.start()]
        for name, width, height, path in FA_ICON.findall(pack):
            icons[(end.group(1), name)] = (int(width), int(height), path)
        start = end.end()
    return icons


def icon_svg(classes: str, attributes: str = "") -> str:
    """The inline SVG of one theme icon, keeping its classes and attributes.

    A ``title`` attribute becomes the SVG's ``<title>`` (its tooltip). The icon is decoration
    (``aria-hidden``): the buttons and links that hold icons carry their own names.
    Raises ``KeyError`` naming the icon when the bundle has no such icon.
    """
    names = classes.split()
    prefix = next((FA_PREFIXES[n] for n in names if n in FA_PREFIXES), "fas")
    icon = next(n[3:] for n in names if n.startswith("fa-") and n not in FA_PREFIXES and n not in FA_MODIFIERS)
    try:
        width, height, path = fontawesome_icons()[(prefix, icon)]
    except KeyError:
        raise KeyError(f"the theme's Font Awesome bundle has no icon {prefix} {icon!r} (classes {classes!r})") from None
    title = re.search(r'\stitle="([^"]*)"', attributes)
    rest = re.sub(r'\s(title|aria-hidden)="[^"]*"', "", attributes).strip()
    classes = " ".join(["svg-inline--fa", *names])
    return (
        f'<svg class="{classes}"{" " + rest if rest else ""} aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        + (f"<title>{title.group(1)}</title>" if title else "")
        + f'<path fill="currentColor" d="{path}"/></svg>'
    )


def inline_icons(page: str) -> str:
    """Draw each Font Awesome ``<i>`` icon as inline SVG and drop the 1.5 MB icon script.

    pydata-sphinx-theme loads Font Awesome's whole JavaScript bundle (543 KB compressed) on
    every page only to turn a dozen ``<i class="fa-...">`` elements into SVG (its issue
    #2379). The same SVG, written into the page, needs no script; ``_static/icons.css`` gives
    it the size and alignment the script's injected styles gave it.
    """
    page = ICON_ELEMENT.sub(lambda m: icon_svg(m.group(2), m.group(3)), page)
    return FONTAWESOME_SCRIPT.sub("", page)


#: The theme's icons drawn by CSS with Font Awesome's font (``::before``/``::after``), by the
#: class that shows them, and the icon the theme's CSS variables name for it.
ADMONITION_ICONS = {
    "admonition": "bell",  # the theme's default
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
}
ADMONITION = re.compile(r'<(?:div|aside)\s+class="([^"]*\badmonition\b[^"]*)"', re.I)
DOWNLOAD_LINK = re.compile(r'class="reference download\b')


def icon_data_url(icon: str, prefix: str = "fas") -> str:
    """A Font Awesome icon of the theme's bundle as a CSS ``url()`` of an SVG (for a mask)."""
    width, height, path = fontawesome_icons()[(prefix, icon)]
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
    data = quote(svg, safe=" =:/',")
    return f'url("data:image/svg+xml,{data}")'


def css_icons(page: str) -> str:
    """Draw the icons the theme's CSS draws with Font Awesome's font as SVG masks instead.

    pydata-sphinx-theme's CSS puts an icon before an admonition's title (the cite block is a
    ``tip``: a light bulb) and before a download link as a character of Font Awesome's font, so
    the page loads that font (150 KB) for one glyph. ``_static/icons.css`` empties those
    characters and paints ``--halfopen-icon`` as a mask in their colour; this step sets
    ``--halfopen-icon`` in a ``<style>`` in the head, for the kinds the page has only.
    """
    if "</head>" not in page or "--halfopen-icon" in page:
        return page
    kinds = {word for classes in ADMONITION.findall(page) for word in classes.split() if word in ADMONITION_ICONS}
    rules = [
        f".admonition{'' if kind == 'admonition' else '.' + kind}>.admonition-title"
        f"{{--halfopen-icon:{icon_data_url(ADMONITION_ICONS[kind])}}}"
        for kind in sorted(kinds, key=lambda k: k != "admonition")  # the default first, the kinds override it
    ]
    if DOWNLOAD_LINK.search(page):
        rules.append(f"a.reference.download{{--halfopen-icon:{icon_data_url('download')}}}")
    if not rules:
        return page
    return page.replace("</head>", "<style>" + "".join(rules) + "</style>\n</head>", 1)


# --------------------------------------------------------------------------- scripts

#: The scripts that only the search page needs: Sphinx's search code and the whole index.
SEARCH_SCRIPT = re.compile(
    r'[ \t]*<script\b[^>]*\bsrc="[^"]*\b(searchtools\.js|language_data\.js|searchindex\.js)[^"]*"[^>]*>\s*</script>\n?',
    re.I,
)
PAGENAME = re.compile(r"DOCUMENTATION_OPTIONS\.pagename\s*=\s*'([^']*)'")


def search_only_on_search_page(page: str) -> str:
    """Drop the search index and its scripts from every page but the search page.

    The theme's search box (and its Ctrl+K dialog) is a form that sends the query to
    ``search.html``, which loads the index itself; the other pages never use it.
    """
    name = PAGENAME.search(page)
    if name and name.group(1) == "search":
        return page
    return SEARCH_SCRIPT.sub("", page)


#: A classic external script in the head: ``<script src="...">``.
EXTERNAL_SCRIPT = re.compile(r'<script\b(?![^>]*\b(?:defer|async|type=)[^>]*>)([^>]*\bsrc="([^"]+)"[^>]*)>', re.I)
#: Scripts that must run before the inline scripts after them (which set their options).
RUN_AT_ONCE = ("documentation_options.js",)


def defer_scripts(page: str) -> str:
    """Mark the head's external scripts ``defer``, keeping their order.

    Deferred scripts run in document order once the page is parsed, before
    ``DOMContentLoaded``, so the theme, copy and toggle buttons still find their elements and
    still see the inline settings written before them; only ``documentation_options.js``
    stays blocking, because inline scripts right after it extend ``DOCUMENTATION_OPTIONS``.
    """
    head_end = page.find("</head>")
    if head_end < 0:
        return page

    def deferred(match: re.Match[str]) -> str:
        if urlsplit(match.group(2)).path.endswith(RUN_AT_ONCE):
            return match.group(0)
        return f"<script defer{match.group(1)}>"

    return EXTERNAL_SCRIPT.sub(deferred, page[:head_end]) + page[head_end:]


# --------------------------------------------------------------------------- images

IMG = re.compile(r"<img\b[^>]*>", re.I)
ARTICLE = re.compile(r'<article class="bd-article"[^>]*>', re.I)
#: Characters of text a phone shows above the first screen's fold, roughly: an image that
#: follows more text than this is below the fold and loads lazily.
FOLD_TEXT = 600


def image_size(file: Path) -> tuple[int, int] | None:
    """An image file's intrinsic size in CSS pixels, or None when it cannot be read."""
    if file.suffix.lower() == ".svg":
        head = file.read_text(encoding="utf-8", errors="replace")[:4000]
        tag = re.search(r"<svg\b[^>]*>", head, re.S)
        if not tag:
            return None
        dims = [re.search(rf'\s{k}="([\d.]+)(px|pt)?"', tag.group(0)) for k in ("width", "height")]
        if all(dims):
            scale = [4 / 3 if d.group(2) == "pt" else 1 for d in dims]
            return round(float(dims[0].group(1)) * scale[0]), round(float(dims[1].group(1)) * scale[1])
        box = re.search(r'viewBox="[\d.\s-]*?([\d.]+)\s+([\d.]+)"', tag.group(0))
        return (round(float(box.group(1))), round(float(box.group(2)))) if box else None
    from PIL import Image

    try:
        with Image.open(file) as im:
            return im.size
    except OSError:
        return None


def visible_text_length(fragment: str) -> int:
    """Characters of text in an HTML fragment, tags and runs of space left out."""
    return len(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", SCRIPT.sub(" ", fragment))).strip())


def size_and_lazy_images(page: str, path: Path | None = None) -> str:
    """Give every image its width and height, and load those below the fold lazily.

    The size attributes let the browser reserve the image's box before it arrives (no layout
    shift; ``_static/icons.css`` keeps the ratio when CSS narrows it). An image is below the
    fold when more than :data:`FOLD_TEXT` characters of the article come before it, and every
    image outside the article (the launch buttons' logos, in a closed menu) is too. Sizes are
    read from the image files, found from the page's own file ``path``; without it only the
    loading is set.
    """
    article = ARTICLE.search(page)
    article_start = article.end() if article else len(page)

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        new = tag
        inside = match.start() >= article_start
        if inside and path is not None and not re.search(r"\swidth=", tag):
            src = re.search(r'\ssrc="([^"]+)"', tag)
            if src and not src.group(1).startswith(("data:", "http:", "https:", "//")):
                file = path.parent / unquote(urlsplit(html.unescape(src.group(1))).path)
                size = image_size(file) if file.is_file() else None
                if size:
                    new = new.replace("<img", f'<img width="{size[0]}" height="{size[1]}"', 1)
        below = not inside or visible_text_length(page[article_start : match.start()]) > FOLD_TEXT
        if below and "loading=" not in tag:
            new = new.replace("<img", '<img loading="lazy" decoding="async"', 1)
        return new

    return IMG.sub(fix, page)


# --------------------------------------------------------------------------- meta tags

#: A meta description's length: search engines show about this many characters.
DESCRIPTION_LENGTH = 160


def first_paragraph(page: str) -> str:
    """The text of the page's first paragraph of prose, whitespace collapsed ("" if none).

    A first paragraph shorter than a description (one that introduces a quotation with a
    colon, say) runs on into the next, so the description says what the page is.
    """
    article = ARTICLE.search(page)
    if not article:
        return ""
    end = page.find("</article>", article.end())
    body = page[article.end() : end if end > 0 else len(page)]
    # Cells, tables, asides and figures are not prose: take the first <p> outside all of them.
    body = re.sub(r"<(table|aside|figure|pre|nav|script|style|details)\b.*?</\1>", " ", body, flags=re.S | re.I)
    found = ""
    for p in re.finditer(r"<p\b[^>]*>(.*?)</p>", body, re.S | re.I):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", p.group(1))).split())
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
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—- ")
    return cut + "…"


def _meta_content(page: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta\s+{attribute}="{re.escape(name)}"\s+content="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
#: The book card: the preview image of a page that shows no figure of its own.
BOOK_CARD = "_static/card.png"


def social_tags(page: str) -> str:
    """Add a meta description, Open Graph and Twitter card tags to the page's head.

    The description is the page's first paragraph, shortened. The title is the page's own
    (``citation_title`` when the cite block's metadata is there). When the book has an address
    (Sphinx writes ``<link rel="canonical">`` only then), ``og:url`` is that address and the
    preview image is the page's first PNG figure, or the book card, by absolute address (cards
    take no SVG); without an address no URL is written at all.
    """
    if _meta_content(page, "property", "og:title") is not None or "</head>" not in page:
        return page
    title_match = TITLE.search(page)
    full_title = " ".join(html.unescape(title_match.group(1)).split()) if title_match else ""
    separator = next((sep for sep in (" \u2014 ", " - ") if sep in full_title), None)
    book = full_title.rsplit(separator, 1)[-1] if separator else full_title
    title = _meta_content(page, "name", "citation_title") or (full_title.rsplit(separator, 1)[0] if separator else book)
    description = _meta_content(page, "name", "description") or shorten(first_paragraph(page)) or book
    tags: list[tuple[str, str, str]] = []
    if _meta_content(page, "name", "description") is None:
        tags.append(("name", "description", description))
    tags += [
        ("property", "og:type", "website" if title == book else "article"),
        ("property", "og:site_name", book),
        ("property", "og:title", title),
        ("property", "og:description", description),
    ]
    canonical = CANONICAL.search(page)
    image = None
    if canonical:
        address = html.unescape(canonical.group(1))
        tags.append(("property", "og:url", address))
        article = ARTICLE.search(page)
        pngs = re.findall(r'<img\b[^>]*\ssrc="([^"]+\.png)"', page[article.end() :] if article else "")
        root = page_root(page)
        image = urljoin(address, html.unescape(pngs[0])) if pngs else urljoin(urljoin(address, root), BOOK_CARD)
        tags.append(("property", "og:image", image))
        alt = re.search(r'<img\b[^>]*\salt="([^"]*)"[^>]*\ssrc="[^"]+\.png"', page[article.end() :] if article else "")
        image_alt = html.unescape(alt.group(1)) if pngs and alt else f"{book}: the book's card"
        tags.append(("property", "og:image:alt", shorten(image_alt, 400)))
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags.append(("name", "twitter:image", image))
    block = "".join(f'<meta {a}="{n}" content="{html.escape(v, quote=True)}" />\n' for a, n, v in tags)
    return page.replace("</head>", block + "</head>", 1)


def page_root(page: str) -> str:
    """The relative path from a page to the site's root (``data-content_root``, e.g. ``../``)."""
    found = re.search(r'data-content_root="([^"]*)"', page)
    return found.group(1) if found else ""


#: A page the book's theme wrote (Sphinx marks the root of the site on its ``<html>``); other
#: HTML files (Jupyter Book's redirecting ``index.html``, a file in ``_static/``) are left alone.
BOOK_PAGE = re.compile(r"<html\b[^>]*\sdata-content_root=")


def rewrite(page: str, path: Path | None = None) -> str:
    """Every step, in order, over one published page (``path``: its file, for image sizes)."""
    page = drop_repeated_scripts(page)
    if not BOOK_PAGE.search(page):
        return page
    page = inline_icons(page)
    page = css_icons(page)
    page = search_only_on_search_page(page)
    page = defer_scripts(page)
    page = size_and_lazy_images(page, path)
    return social_tags(page)
