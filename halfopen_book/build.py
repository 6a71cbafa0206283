"""Build the HTML book: execute (cached), stage, build strictly, then swap into place.

1. :func:`halfopen_book.run.run` validates the tables and executes the stale chapters into
   ``_build/executed``.
2. The book's sources are copied to a staging folder, with each notebook replaced by its
   executed copy (code cells tagged ``hide-input``: hidden, one click away) and execution
   switched off, so each chapter executes once per build, by papermill only.
3. Jupyter Book's own command builds the staged copy with ``-W -n --keep-going``: any
   warning, broken cross-reference, citation or figure fails the build. Its full log goes to
   ``_build/sphinx.log``; its warnings and errors are printed.
4. Only a build that passed replaces ``_build/html``; after a failure the last good book
   stays exactly as it was, and the command says so. The published copy leaves out images
   that no page shows any more (:func:`publish`).

When the staged sources, the code and the environment are byte for byte those of the last
successful build, step 3 is skipped: a strict build of identical input gives the same book.
The stamp lives beside ``html/`` (``html.sha256``), not in it, so it is never published.

The site's address and the repository are one setting each: ``_config.yml``'s
``html.baseurl`` and ``repository.url``, empty in the repository. A build takes them from
``$HALFOPEN_SITE_URL`` and ``$HALFOPEN_REPOSITORY`` when those are set (the deploy workflow sets
them from the repository it runs in) and writes them into the staged ``_config.yml`` and
``CITATION.cff`` (:func:`apply_addresses`); everything that names the site or the repository
derives from there. Without an address the staged book names none: no canonical links, no
sitemap, cite blocks without a URL; without a repository, no repository, issue or launch
buttons.

PDFs printed by ``python -m halfopen_book.pdf`` from the current site are copied into it and
linked from each page by the next run of the book command (:func:`link_pdfs`); a page links
a PDF only when it exists.

Nothing here writes into ``data/``, ``chapters/`` or any other tracked file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup

from halfopen import paths
from halfopen.data import DataError

from . import html as html_steps
from . import run
from .citation import CITATION_FILE, load_citation, with_addresses

#: Files and folders of the book (besides the chapters) copied to the staging folder.
BOOK_FILES = ["_config.yml", "_toc.yml", "intro.md", "references.bib", "CITATION.cff"]
BOOK_DIRS = ["_static", "_templates", "_extra"]


def stage(build_dir: Path, root: Path | None = None) -> Path:
    """Copy the book's sources, with executed notebooks, to ``build_dir/staging/src``.

    The copy is made afresh in a scratch folder and then synchronised into ``src``: a file
    whose bytes did not change keeps its modification time, so an incremental Sphinx run
    re-reads only the pages that changed.
    """
    final = build_dir / "staging" / "src"
    src = build_dir / "staging" / "src.new"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    _fill(src, build_dir, run.book_root(root))
    _sync(src, final)
    shutil.rmtree(src)
    return final


def _sync(new: Path, dest: Path) -> None:
    """Make ``dest`` hold exactly the files of ``new``, rewriting only those that differ."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        a, b = new / rel, dest / rel
        if b.is_file() and b.read_bytes() == a.read_bytes():
            continue
        b.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(a, b)  # a changed file gets a new modification time
    for p in sorted(dest.rglob("*"), reverse=True):
        if p.is_file() and p.relative_to(dest) not in wanted:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


def _fill(src: Path, build_dir: Path, root: Path) -> None:
    """Write the staged book into the empty folder ``src``."""
    for name in BOOK_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, src / name)
    for name in BOOK_DIRS:
        if (root / name).is_dir():
            shutil.copytree(root / name, src / name)
    chapters_out = src / "chapters"
    chapters_out.mkdir()
    executed = run.cache_dir(build_dir)
    for f in sorted((root / "chapters").iterdir()):
        if f.suffix == ".ipynb":
            done = executed / f.name
            if not done.exists():
                continue  # not in the toc (only_build_toc_files) or not executed
            nb = json.loads(done.read_text(encoding="utf-8"))
            _hide_code(nb)
            (chapters_out / f.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
        elif f.is_file():
            shutil.copy2(f, chapters_out / f.name)
        elif f.is_dir() and not f.name.startswith("."):
            shutil.copytree(f, chapters_out / f.name)
    manifests = {c.name: m for c in run.chapters(root) if (m := run.read_manifest(executed, c.name))}
    run.write_run_record(manifests, src / run.RUN_RECORD_FILE)
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    site_url, repository = addresses(config)
    apply_addresses(config, site_url, repository)
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    if (src / CITATION_FILE).exists():
        cff = with_addresses(load_citation(src / CITATION_FILE), site_url, repository)
        (src / CITATION_FILE).write_text(yaml.safe_dump(cff, sort_keys=False, allow_unicode=True), encoding="utf-8")


# --------------------------------------------------------------------------- the two settings

#: Environment variables that set the site's address and the repository for one build.
SITE_URL_ENV = "HALFOPEN_SITE_URL"
REPOSITORY_ENV = "HALFOPEN_REPOSITORY"


def addresses(config: dict[str, Any], environ: dict[str, str] | None = None) -> tuple[str, str]:
    """The site's address (ending in ``/``) and the repository's URL of a build, each '' when unset.

    Each is one setting, ``_config.yml``'s ``html.baseurl`` and ``repository.url``; the
    environment variables :data:`SITE_URL_ENV` and :data:`REPOSITORY_ENV` fill it for a build.
    """
    environ = os.environ if environ is None else environ
    site = (environ.get(SITE_URL_ENV) or (config.get("html") or {}).get("baseurl") or "").strip()
    repository = (environ.get(REPOSITORY_ENV) or (config.get("repository") or {}).get("url") or "").strip()
    for name, value in (("site address", site), ("repository", repository)):
        if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"the {name} must be an http(s) URL, not {value!r}")
    return (site.rstrip("/") + "/" if site else ""), repository.rstrip("/")


#: The launch buttons a build with a repository gets: Binder, opening the chapter in JupyterLab
#: (as ``python3 tasks.py lab`` does), from the repository's ``binder/requirements.txt`` and
#: ``binder/runtime.txt``. No Colab: it has neither this package nor ``data/``.
LAUNCH_BUTTONS = {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"}
#: Pages the sitemap leaves out: they are tools, not content.
SITEMAP_EXCLUDES = ["search.html", "genindex.html"]


def apply_addresses(config: dict[str, Any], site_url: str, repository: str) -> None:
    """Write the two settings into a (staged) Jupyter Book configuration, and what follows from them.

    The address goes to ``html.baseurl`` (Sphinx's ``html_baseurl``: canonical links, cite
    blocks, meta tags) and loads ``sphinx_sitemap`` (which warns without an address, and the
    build is strict). The repository goes to ``repository.url`` and turns on the repository
    and issue buttons and adds the launch buttons (:data:`LAUNCH_BUTTONS`); without one there
    are none (they would point nowhere).
    """
    html_cfg = config.setdefault("html", {})
    html_cfg["baseurl"] = site_url
    config.setdefault("repository", {})["url"] = repository
    html_cfg["use_repository_button"] = html_cfg["use_issues_button"] = bool(repository)
    if repository:
        config["launch_buttons"] = {**LAUNCH_BUTTONS, **(config.get("launch_buttons") or {})}
    else:
        config.pop("launch_buttons", None)
    sphinx = config.setdefault("sphinx", {})
    extensions = [e for e in sphinx.get("extra_extensions") or [] if e != "sphinx_sitemap"]
    if site_url:
        extensions.append("sphinx_sitemap")
        sphinx_config = sphinx.setdefault("config", {})
        sphinx_config["sitemap_url_scheme"] = "{link}"  # not the default "{lang}{version}{link}"
        sphinx_config["sitemap_excludes"] = list(SITEMAP_EXCLUDES)
    sphinx["extra_extensions"] = extensions


def write_robots(site: Path, site_url: str) -> None:
    """A ``robots.txt`` naming the sitemap, when the site has an address (none otherwise)."""
    robots = site / "robots.txt"
    if site_url and (site / "sitemap.xml").exists():
        robots.write_text(f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n", encoding="utf-8")
    elif robots.exists():
        robots.unlink()


# --------------------------------------------------------------------------- PDFs

#: Where ``python -m halfopen_book.pdf`` writes the PDFs, in the build folder.
PDF_DIR = "pdf"
#: Where the site keeps its copies of them.
SITE_PDF_DIR = "pdf"
#: The class of the paragraph of PDF links on a page (replaced, not repeated, by a second run).
PDF_LINKS = "halfopen-pdf-links"


def link_pdfs(build_dir: Path, stamp_file: Path | None = None) -> list[str]:
    """Copy the PDFs printed from the current site into it and link them from their pages.

    A PDF counts only when it was printed after the site was built (newer than the build's
    stamp ``html.sha256``): after a rebuild, PDFs of the old pages are neither copied nor
    linked. Each page links its own PDF (``pdf/<page>.pdf``) and the whole book's
    (``pdf/book.pdf``), where those exist; without PDFs, no page links any. Returns the names
    of the PDFs linked.
    """
    site = build_dir / "html"
    stamp_file = stamp_file or build_dir / "html.sha256"
    printed = build_dir / PDF_DIR
    built_at = stamp_file.stat().st_mtime if stamp_file.exists() else float("inf")
    fresh = sorted(p for p in printed.glob("*.pdf") if p.stat().st_mtime >= built_at) if printed.is_dir() else []
    target = site / SITE_PDF_DIR
    if target.exists():
        shutil.rmtree(target)
    if fresh:
        target.mkdir()
        for pdf in fresh:
            shutil.copy2(pdf, target / pdf.name)
    names = {p.name: p.stat().st_size for p in fresh}
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        linked = _with_pdf_links(text, page.relative_to(site), names)
        if linked != text:
            page.write_text(linked, encoding="utf-8")
    return sorted(names)


def size_text(size: int) -> str:
    """A file's size in bytes as a reader on a slow network wants it beside a link: '310 KB',
    '4.2 MB' (decimal units; never '0 KB', so a tiny file reads '1 KB')."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


def _with_pdf_links(text: str, rel: Path, names: dict[str, int]) -> str:
    """A page with its paragraph of PDF links (or none, when no PDF of it exists), after its
    download links or else before its cite block; ``names`` maps each PDF's name to its size in
    bytes. A page that had no such paragraph and gets none is returned as it was."""
    own = rel.stem + ".pdf"
    if not ((own in names and own != "book.pdf") or "book.pdf" in names) and PDF_LINKS not in text:
        return text  # no paragraph to write and none to take away: not worth parsing the page
    soup = BeautifulSoup(text, "html.parser")
    old = soup.find_all("p", class_=PDF_LINKS)
    for para in old:
        para.decompose()
    up = "../" * (len(rel.parts) - 1)
    links = []
    if own in names and own != "book.pdf":
        links.append((f"{up}{SITE_PDF_DIR}/{own}", "this page", names[own]))
    if "book.pdf" in names:
        links.append((f"{up}{SITE_PDF_DIR}/book.pdf", "the whole book", names["book.pdf"]))
    article = soup.find("article")
    if not links or article is None:
        return html_steps.serialize(soup) if old else text
    para = soup.new_tag("p", attrs={"class": PDF_LINKS})
    para.append("PDF (A4, for print or offline reading): ")
    for i, (href, label, size) in enumerate(links):
        link = soup.new_tag("a", href=href)
        link.string = label
        para.extend([" · " if i else "", link, f" ({size_text(size)})"])
    para.append(".")
    downloads = soup.find("p", class_="chapter-downloads")
    cite = soup.find(id="cite-this-chapter")
    if downloads is not None:
        downloads.insert_after(para)
    elif cite is not None:
        cite.insert_before(para)
    else:
        article.append(para)
    return html_steps.serialize(soup)


def source_stamp(src: Path) -> str:
    """A hash of everything a Sphinx build of ``src`` depends on: every staged file (path and
    bytes), the code of both packages (the Sphinx extension and what it imports), the pins
    and the installed packages (the status page lists them as read at build time, so a
    package installed or upgraded by hand must rebuild it too)."""
    from importlib import metadata

    h = hashlib.sha256()
    for f in sorted(p for p in src.rglob("*") if p.is_file()):
        h.update(f.relative_to(src).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    for package in (Path(__file__).resolve().parent, paths.ROOT / "halfopen"):
        for f in sorted(package.glob("*.py")):
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(run.environment_hash().encode())
    # Each installed distribution's metadata file as it is (name, version and more), not parsed:
    # parsing ~140 of them as e-mail headers was a tenth of a no-op build.
    installed = sorted(d.read_text("METADATA") or d.read_text("PKG-INFO") or "" for d in metadata.distributions())
    h.update("\0".join(installed).encode())
    return h.hexdigest()


def _hide_code(nb: dict[str, Any]) -> None:
    """Tag every code cell ``hide-input`` (unless it already says how to show itself)."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if not any(t.startswith(("hide-", "remove-")) for t in tags):
            tags.append("hide-input")


def images_shown(page: BeautifulSoup) -> set[str]:
    """The files of ``_images/`` a page shows or links (``src``, ``href``, ``srcset``, ``data``)."""
    names = set()
    for tag in page.find_all(True):
        for attribute in ("src", "href", "srcset", "data"):
            for candidate in (tag.get(attribute) or "").split(","):  # srcset: "URL 2x, URL 1x"
                path = unquote(urlsplit(candidate.strip().split(" ")[0]).path)
                if "_images/" in path:
                    names.add(path.rsplit("_images/", 1)[1])
    return names


def publish(site: Path, dest: Path, site_url: str = "") -> None:
    """Copy Sphinx's built ``site`` to ``dest``: leave out images no page shows any more,
    apply :func:`halfopen_book.html.rewrite` to every page, and write ``robots.txt`` when the
    site has an address.

    Sphinx keeps its output folder between incremental builds and never deletes from
    ``_images``: after a data edit, the figures drawn from the old data would stay in the
    published book, unreferenced but there. Only the images that some page points at are
    copied (in a fresh build, that is all of them). Each page is parsed once, for both.
    """
    shown: set[str] = set()
    rewritten = {}
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        shown |= images_shown(soup)
        if html_steps.rewrite(soup, page):
            rewritten[page.relative_to(site)] = html_steps.serialize(soup)
    images = site / "_images"

    def stale(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n not in shown] if Path(folder) == images else []

    shutil.copytree(site, dest, ignore=stale)
    for rel, text in rewritten.items():
        (dest / rel).write_text(text, encoding="utf-8")
    write_robots(dest, site_url)


def swap(new_html: Path, build_dir: Path) -> Path:
    """Put a freshly built site at ``build_dir/html``, replacing the old one only now."""
    target = build_dir / "html"
    old = build_dir / "html.previous"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    shutil.move(str(new_html), str(target))
    if old.exists():
        shutil.rmtree(old)
    return target


#: Where the full log of the last Sphinx build is kept, inside the build folder.
SPHINX_LOG = "sphinx.log"


def sphinx_build(src: Path, out: Path, log: Path) -> int:
    """Jupyter Book's own command, strict: ``jupyter-book build SRC -W -n --keep-going``.

    Its whole output goes to ``log``; what Sphinx reports as a warning or an error (its
    standard error) is also printed, in full. Sphinx's own incremental build applies: with
    ``out`` kept from the last build, only changed pages are read again.
    """
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),  # the console script of this environment
        "build",
        str(src),
        "--path-output",
        str(out),
        "--builder",
        "html",
        "--warningiserror",
        "--nitpick",
        "--keep-going",
    ]
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.run(command, stdout=fh, stderr=subprocess.PIPE, text=True)
        fh.write(proc.stderr)
    if proc.stderr.strip():
        print(proc.stderr.rstrip(), file=sys.stderr)
    if proc.returncode == 0 and not (out / "_build" / "html" / "index.html").exists():
        print(f"Jupyter Book exited without writing {out / '_build' / 'html'}", file=sys.stderr)
        return 1
    return proc.returncode


def build(
    names: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    jobs: int | None = None,
    build_dir: Path | None = None,
    root: Path | None = None,
    force: bool = False,
    progress: bool = True,
) -> int:
    """Execute, stage, build and swap; return 0 on success, non-zero with the old book kept."""
    build_dir = Path(build_dir) if build_dir else paths.BUILD_DIR
    build_dir.mkdir(parents=True, exist_ok=True)
    out = build_dir / "staging" / "out"
    kept = _kept_message(build_dir)
    try:
        results = run.run(names, parameters, jobs, build_dir, root, force, progress)
    except DataError as exc:
        print(f"\nBuild stopped: a table is invalid.\n{exc}\n{kept}", file=sys.stderr)
        return 1
    print(run.summary(results))
    if any(r.status == "failed" for r in results):
        print(f"\nBuild stopped: a chapter failed. {kept}", file=sys.stderr)
        return 1
    try:
        src = stage(build_dir, root)
    except ValueError as exc:  # a setting that is not a URL
        print(f"\nBuild stopped: {exc}. {kept}", file=sys.stderr)
        return 2
    stamp_file = build_dir / "html.sha256"
    stamp = source_stamp(src)
    target = build_dir / "html"
    if (target / "index.html").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        _report_pdfs(link_pdfs(build_dir))
        print(f"\nBook unchanged (same sources, code and environment as the last build): {target / 'index.html'}")
        return 0
    log = build_dir / SPHINX_LOG
    print(f"\nSphinx: building the HTML book (full log: {log})", flush=True)
    code = sphinx_build(src, out, log)
    if code != 0:
        print(f"\nBuild failed: Sphinx reported warnings or errors (above; full log: {log}). {kept}", file=sys.stderr)
        return code
    fresh_copy = build_dir / "html.new"
    if fresh_copy.exists():
        shutil.rmtree(fresh_copy)
    site_url = (yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8")).get("html") or {}).get("baseurl", "")
    publish(out / "_build" / "html", fresh_copy, site_url)  # Sphinx keeps its own for the next build
    if (src / CITATION_FILE).exists():  # with the site's address and repository, as the pages give them
        shutil.copy2(src / CITATION_FILE, fresh_copy / CITATION_FILE)
    swap(fresh_copy, build_dir)
    stamp_file.write_text(stamp)
    link_pdfs(build_dir)  # none yet: PDFs printed from the old pages are not linked
    print(f"\nBook built: {target.resolve() / 'index.html'}")
    return 0


def _report_pdfs(names: list[str]) -> None:
    if names:
        print(f"Linked the {len(names)} PDFs printed from this book into it ({SITE_PDF_DIR}/).")


def _kept_message(build_dir: Path) -> str:
    site = build_dir / "html"
    if site.exists():
        return f"The last good book is unchanged at {site}."
    return "No book had been built before, so there is none to keep."
