"""Print the built book to PDF with headless Chromium: one PDF per page and one for the whole book.

    python -m halfopen_book.pdf [--build-dir DIR]

reads ``DIR/html`` (default ``_build/html``, made by ``python -m halfopen build``) and writes
``DIR/pdf/<page>.pdf`` for every page of the table of contents (``intro.pdf``,
``01_background.pdf``, ...) and ``DIR/pdf/book.pdf``, the whole book in reading order.

How:

* The site is served on 127.0.0.1 (a free port, :func:`serve`) and printed by Debian's
  ``chromium`` driven by Playwright (:func:`launch`); no browser is downloaded.
* ``_static/print.css`` (the book's print style: no navigation, buttons or sidebars; code
  blocks wrap) is linked by every page (Jupyter Book links each file of ``_static/``); it is
  added here too when a built page does not link it.
* Each chapter's "Cite this chapter" block is moved to just under the chapter title, so the
  citation is on the first page of the chapter's PDF and of the chapter in the book's PDF.
* The whole-book PDF is one HTML document printed once (no PDF merging, so no extra
  package): the root page, then each chapter's article appended in ``_toc.yml`` order, each
  starting on a new page. Links between chapters become links inside the PDF.
* Links to other pages of the site are rewritten to the book's public address when the page
  names one (``<link rel="canonical">``, from ``html_baseurl``); otherwise they are unlinked,
  so no PDF points at the temporary 127.0.0.1 server.

Only the files under ``DIR/pdf`` are written.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from halfopen import paths

from .chapters import toc_documents
from .chromium import CHROMIUM_ENV, CHROMIUM_NAMES, DEBIAN_CHROMIUM, find_chromium  # Playwright downloads none
from .citation import UNCITED_PAGES

#: Flags for a closed network: without the background-networking ones Chromium keeps trying
#: (and failing) to reach Google's services and logs errors.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRINT_CSS = paths.ROOT / "_static" / "print.css"
#: Where a page's "Cite this chapter" block is (the id given by halfopen/sphinx_ext.py).
CITE_SELECTOR = '#cite-this-chapter, [id^="cite-this-chapter"]'
BOOK_PDF = "book.pdf"


class ChromiumMissing(RuntimeError):
    """Debian's chromium is not installed."""


def reading_order(toc_file: Path | None = None) -> list[str]:
    """The book's pages in reading order, as paths relative to the html folder (``intro.html``, ...)."""
    root = Path(toc_file).parent if toc_file else None
    return [f"{doc}.html" for doc in toc_documents(root)]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The standard library's static file handler, without a log line per request."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path, handler_class: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port, in a thread; yield its base URL (ending in /).

    ``handler_class`` answers the requests (``benchmarks/lighthouse.py`` passes one that
    compresses, as a static host does).
    """
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def launch(playwright):
    """Start headless Chromium (:func:`find_chromium`) through Playwright (a ``playwright.sync_api`` instance)."""
    chromium = find_chromium()
    if not chromium:
        raise ChromiumMissing(
            f"no Chromium found ({CHROMIUM_ENV}, {DEBIAN_CHROMIUM} or {', '.join(CHROMIUM_NAMES)} on the PATH): "
            "install Debian's chromium (apt-get install chromium); never `playwright install`, "
            "which downloads a browser"
        )
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)


# JavaScript run in the page before printing. Returns whether a cite block was found.
_PREPARE_JS = """
([citeSelector, css]) => {
  if (css && !document.querySelector('link[href*="print.css"]')) {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
  }
  for (const img of document.images) img.loading = 'eager';
  const article = document.querySelector('article') || document.querySelector('main') || document.body;
  const cite = article.querySelector(citeSelector) || document.querySelector(citeSelector);
  if (cite) {
    const h1 = article.querySelector('h1');
    if (h1) h1.after(cite); else article.prepend(cite);
    cite.classList.add('halfopen-cite-first');
  }
  return Boolean(cite);
}
"""

# Rewrite links to other pages of the site (see the module docstring). ``inBook`` maps a page
# path (relative to the site) to the id of its chapter in the combined book, if any.
_LINKS_JS = """
([inBook]) => {
  const here = new URL(location.href);
  const site = new URL('.', new URL(document.documentElement.dataset.halfopenRoot || './', here));
  const canonical = document.querySelector('link[rel="canonical"]');
  let publicBase = null;
  if (canonical) {
    const rel = here.href.slice(site.href.length).split('#')[0];
    const c = canonical.href;
    if (rel && c.endsWith(rel)) publicBase = c.slice(0, c.length - rel.length);
  }
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), a.baseURI);
    if (url.origin !== here.origin) continue;
    const rel = url.pathname.slice(site.pathname.length);
    if (inBook && rel in inBook) {
      a.setAttribute('href', '#' + ((url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1))))
        ? decodeURIComponent(url.hash.slice(1)) : inBook[rel]));
    } else if (url.pathname === here.pathname && url.hash) {
      a.setAttribute('href', url.hash);
    } else if (publicBase) {
      a.setAttribute('href', publicBase + rel + url.hash);
    } else {
      a.removeAttribute('href');
    }
  }
}
"""

# Build the whole book in the root page: append each chapter's article, each on a new page.
_COMBINE_JS = """
async ([pages, citeSelector]) => {
  const article = document.querySelector('article') || document.querySelector('main');
  const ids = {};
  for (const path of pages) {
    const url = new URL(path, document.documentElement.dataset.halfopenRoot);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    const src = doc.querySelector('article') || doc.querySelector('main');
    // Resolve relative addresses against the chapter's own URL before moving the nodes.
    for (const el of src.querySelectorAll('[src]')) el.setAttribute('src', new URL(el.getAttribute('src'), url).href);
    for (const el of src.querySelectorAll('[srcset]')) el.removeAttribute('srcset');
    for (const el of src.querySelectorAll('a[href]')) {
      el.setAttribute('href', new URL(el.getAttribute('href'), url).href);
    }
    const cite = src.querySelector(citeSelector);
    if (cite) {
      const h1 = src.querySelector('h1');
      if (h1) h1.after(cite); else src.prepend(cite);
      cite.classList.add('halfopen-cite-first');
    }
    const chapter = document.createElement('div');
    chapter.className = 'halfopen-book-chapter';
    chapter.id = 'halfopen-page-' + path.replace(/[^A-Za-z0-9]+/g, '-');
    chapter.append(...Array.from(src.childNodes).map((n) => document.importNode(n, true)));
    article.append(chapter);
    ids[path] = chapter.id;
  }
  for (const img of document.images) img.loading = 'eager';
  await Promise.all(Array.from(document.images).map((img) => img.decode().catch(() => null)));
  return ids;
}
"""

_HEADER = '<div style="font-size:7pt;width:100%;text-align:center;color:#555"><span class="title"></span></div>'
_FOOTER = (
    '<div style="font-size:7pt;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def _print(page, out: Path) -> None:
    page.pdf(
        path=str(out),
        format="A4",
        print_background=True,
        display_header_footer=True,
        header_template=_HEADER,
        footer_template=_FOOTER,
        margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        outline=True,
        tagged=True,
    )


def _wait_for_images(page) -> None:
    page.evaluate("() => Promise.all(Array.from(document.images).map((i) => i.decode().catch(() => null)))")


def print_book(build_dir: Path | None = None, toc_file: Path | None = None, log=print) -> tuple[list[Path], list[str]]:
    """Print every page of the toc and the whole book; return (PDF files written, problems).

    A problem is a chapter page (any page but the root) without a "Cite this chapter" block:
    its PDF is still written, but cannot carry its citation on its first page.
    """
    from playwright.sync_api import sync_playwright

    build_dir = Path(build_dir) if build_dir else paths.BUILD_DIR
    html = build_dir / "html"
    if not (html / "index.html").exists():
        raise FileNotFoundError(f"no built book at {html}: run `python -m halfopen build` first")
    pages = reading_order(toc_file)
    missing_pages = [p for p in pages if not (html / p).exists()]
    if missing_pages:
        raise FileNotFoundError(f"pages of the toc not built in {html}: {', '.join(missing_pages)}")
    out_dir = build_dir / "pdf"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    css = PRINT_CSS.read_text(encoding="utf-8") if PRINT_CSS.exists() else ""
    written: list[Path] = []
    problems: list[str] = []
    with serve(html) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for i, rel in enumerate(pages):
                page.goto(base + rel, wait_until="load")
                page.evaluate("(root) => { document.documentElement.dataset.halfopenRoot = root; }", base)
                has_cite = page.evaluate(_PREPARE_JS, [CITE_SELECTOR, css])
                if i > 0 and not has_cite and str(Path(rel).with_suffix("")) not in UNCITED_PAGES:
                    problems.append(f"{rel}: no 'Cite this chapter' block ({CITE_SELECTOR})")
                page.evaluate(_LINKS_JS, [None])
                _wait_for_images(page)
                out = out_dir / (Path(rel).stem + ".pdf")
                _print(page, out)
                written.append(out)
                log(f"wrote {out}")
            # The whole book: the root page with every chapter appended.
            page.goto(base + pages[0], wait_until="load")
            page.evaluate("(root) => { document.documentElement.dataset.halfopenRoot = root; }", base)
            page.evaluate(_PREPARE_JS, [CITE_SELECTOR, css])
            ids = page.evaluate(_COMBINE_JS, [pages[1:], CITE_SELECTOR])
            ids[pages[0]] = "main-content"
            page.evaluate(_LINKS_JS, [ids])
            out = out_dir / BOOK_PDF
            _print(page, out)
            written.append(out)
            log(f"wrote {out}")
        finally:
            browser.close()
    return written, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m halfopen_book.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=None, help="default: _build (reads html/, writes pdf/)")
    args = parser.parse_args(argv)
    try:
        written, problems = print_book(args.build_dir)
    except (FileNotFoundError, ChromiumMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"{len(written)} PDFs in {written[-1].parent}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
