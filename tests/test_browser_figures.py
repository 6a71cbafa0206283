"""Every figure of the built book as a reader's browser shows it, at 1280 × 900 and 390 × 844.

Reuses the browser tests' fixtures (one strict build of the book, served on 127.0.0.1, one
headless Debian chromium; ``HALFOPEN_TEST_HTML`` points them at an existing site). On every
page of the table of contents, at both sizes, each figure in the article must be:

* an SVG (a vector image: its text stays sharp at any zoom), with alt text;
* shown at no less than 70 % of its natural width on the desktop and 50 % on the phone, so
  its text, drawn no smaller than the body's small print, stays legible;
* a link to the SVG itself, so that a reader can open it alone and enlarge it.

A screenshot of each figure's image at each size is kept next to the site, in
``screenshots/figures/{desktop,phone}/``, for review. (On a phone ``_static/figures.css`` lets
the image take the screen's whole width, beyond the column the caption keeps.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import DESKTOP, PHONE, browser, html_dir, site, toc_pages  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The least share of its natural width a figure may be shown at, by viewport.
LEAST = {"desktop": 0.70, "phone": 0.50}

_FIGURES_JS = """
async () => {
  const imgs = Array.from(document.querySelectorAll('article img'));
  for (const i of imgs) i.loading = 'eager';
  await Promise.all(imgs.map((i) => i.decode().catch(() => null)));
  return imgs.map((i, k) => {
    const link = i.closest('a');
    const figure = i.closest('figure');
    if (figure) figure.setAttribute('data-figure-index', String(k));
    return {src: i.currentSrc || i.src, alt: i.getAttribute('alt') || '',
            shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
            link: link ? link.href : null, id: figure ? figure.id : null, index: k};
  });
}
"""


#: For the screenshots only: the sticky header and the skip link would cover a tall figure.
_SHOT_STYLE = ".bd-header, .skip-link, .bd-header-article { visibility: hidden !important; }"


@pytest.fixture(scope="module")
def figures(browser, site, html_dir, toc_pages) -> dict[str, dict[str, list[dict]]]:  # noqa: F811
    """viewport -> page -> the figures of its article, as shown; a screenshot of each is saved."""
    shots = Path(html_dir).parent / "screenshots" / "figures"
    result: dict[str, dict[str, list[dict]]] = {}
    for name, viewport, mobile in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
        result[name] = {}
        try:
            for path in toc_pages:
                page = context.new_page()
                try:
                    page.goto(site + path, wait_until="load")
                    found = page.evaluate(_FIGURES_JS)
                    for f in found:
                        target = page.locator(f'[data-figure-index="{f["index"]}"] img')
                        if target.count():
                            out = shots / name / f"{path.replace('/', '__').removesuffix('.html')}--{f['index']}.png"
                            out.parent.mkdir(parents=True, exist_ok=True)
                            target.screenshot(path=str(out), style=_SHOT_STYLE)
                    result[name][path] = found
                finally:
                    page.close()
        finally:
            context.close()
    return result


def test_the_book_has_its_figures(figures):
    count = sum(len(f) for f in figures["desktop"].values())
    assert count >= 10, f"only {count} figures in the whole book"
    pages = {p for p, f in figures["desktop"].items() if f}
    assert "chapters/11_discussion.html" in pages, "Figure 1 (chapter 11) is missing"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_figure_is_an_svg_with_alt_text(figures, viewport):
    bad = [
        f"{path}: {f['src'].rsplit('/', 1)[-1]} ({'no alt text' if not f['alt'].strip() else 'not an SVG'})"
        for path, found in figures[viewport].items()
        for f in found
        if not f["src"].split("?")[0].endswith(".svg") or not f["alt"].strip()
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_figure_is_shown_large_enough_to_read(figures, viewport):
    least = LEAST[viewport]
    bad = []
    for path, found in figures[viewport].items():
        for f in found:
            if not f["natural"]:
                bad.append(f"{path}: figure {f['id'] or f['index']} did not load")
            elif f["shown"] / f["natural"] < least:
                bad.append(
                    f"{path}: figure {f['id'] or f['index']} is shown at {f['shown']:.0f} px of its "
                    f"{f['natural']} px ({f['shown'] / f['natural']:.0%}, the least is {least:.0%})"
                )
    assert not bad, "\n".join(bad)


def test_every_figure_opens_alone_to_be_enlarged(figures):
    bad = [
        f"{path}: figure {f['id'] or f['index']} links to {f['link']!r}, not to its SVG"
        for path, found in figures["phone"].items()
        for f in found
        if not (f["link"] and f["link"].split("?")[0].endswith(".svg"))
    ]
    assert not bad, "\n".join(bad)
