"""Build the HTML book: execute (cached), stage, build strictly, then swap into place.

1. :func:`halfopen.run.run` executes the stale chapters into ``_build/executed``.
2. The book's sources are copied to a staging folder, with each notebook replaced by its
   executed copy (code cells tagged ``hide-input``: hidden, one click away) and execution
   switched off, so each chapter executes once per build, by papermill only.
3. Jupyter Book builds the staged copy with ``-W -n --keep-going``: any warning, broken
   cross-reference, citation or figure fails the build. It runs in a child process
   (:mod:`halfopen.sphinx_child`); in a rebuild, that child sets Sphinx up while the chapters
   execute and builds once they are staged.
4. Only a build that passed replaces ``_build/html``; after a failure the last good book
   stays exactly as it was, and the command says so. The published copy leaves out images
   that no page shows any more (:func:`publish`).

When the staged sources, the package (which holds the Sphinx extension) and the pinned
environment are byte for byte those of the last successful build, step 3 is skipped: a
strict build of identical input gives the same book, so the no-op rebuild costs only the
cache check and the staging (see ``docs/performance.md``). The stamp lives beside ``html/``
(``html.sha256``), not in it, so it is never published.

Nothing here writes into ``data/``, ``chapters/`` or any other tracked file.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from . import paths, run, sphinx_child

#: Files and folders of the book (besides the chapters) copied to the staging folder.
BOOK_FILES = ["_config.yml", "_toc.yml", "intro.md", "references.bib", "CITATION.cff"]
BOOK_DIRS = ["_static", "_templates", "halfopen_sphinx"]


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
    manifests = {c.name: m for c in run.chapters(root) if (m := run._read_manifest(executed, c.name))}
    run.write_run_record(manifests, src / run.RUN_RECORD_FILE)
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def source_stamp(src: Path) -> str:
    """A hash of everything a Sphinx build of ``src`` depends on: every staged file (path and
    bytes), the package's code, the pins and the installed packages."""
    h = hashlib.sha256()
    for f in sorted(p for p in src.rglob("*") if p.is_file()):
        h.update(f.relative_to(src).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return _with_code_and_environment(h)


def _with_code_and_environment(h: Any) -> str:
    """Finish a stamp with the package's code (which holds the Sphinx extension), the pins,
    and the installed packages: the status page lists them as read at build time, so a
    package installed or upgraded by hand (pins unchanged) must rebuild it too."""
    h.update(run.package_hash().encode())
    h.update(run.environment_hash().encode())
    h.update("\n".join(installed_distributions()).encode())
    return h.hexdigest()


def installed_distributions() -> list[str]:
    """The names of the metadata folders of every installed distribution on ``sys.path``.

    Their names carry name and version (``pandas-2.2.3.dist-info``), so this changes exactly
    when a package is installed, removed or upgraded, like the list ``importlib.metadata``
    gives, but without parsing every package's metadata (0.2 s a stamp, measured).
    """
    found = []
    for entry in sys.path:
        folder = Path(entry or ".")
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if p.suffix in (".dist-info", ".egg-info")]
    return sorted(found)


def structure_stamp(src: Path, root: Path | None = None) -> str:
    """A hash of what decides the book's structure, as opposed to its numbers and figures:
    the set of staged files, every staged file other than an executed notebook or the run
    record (configuration, table of contents, bibliography, citation file, static files,
    pages), every chapter's source without outputs, the labels of the numbered tables and
    figures each executed notebook produces (in order), the package and the environment.

    When it is unchanged since the last successful build, only outputs changed (a data edit,
    a parameter): no label, numbering, citation or cross-reference can have changed, and
    Sphinx may rebuild incrementally, re-reading only the pages whose files changed.
    Otherwise the build starts fresh.
    """
    h = hashlib.sha256()
    for f in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = f.relative_to(src).as_posix()
        h.update(rel.encode() + b"\0")
        if f.suffix == ".ipynb":
            labels = re.findall(r"^:name: (\S+)", _markdown_of(f), re.M)
            h.update(("\n".join(labels)).encode() + b"\0")
        elif rel != run.RUN_RECORD_FILE:
            h.update(hashlib.sha256(f.read_bytes()).digest())
    for c in run.chapters(root):
        h.update(run.notebook_hash(c.path).encode())
    return _with_code_and_environment(h)


def _markdown_of(path: Path) -> str:
    """All MyST a notebook holds: its markdown cells and the markdown its cells output."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md:
                parts.append("".join(md) if isinstance(md, list) else md)
    return "\n".join(parts)


def _hide_code(nb: dict[str, Any]) -> None:
    """Tag every code cell ``hide-input`` (unless it already says how to show itself)."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if not any(t.startswith(("hide-", "remove-")) for t in tags):
            tags.append("hide-input")


#: How a built page points at an image Sphinx copied for it (``src``, ``href``, ``srcset``).
IMAGE_REFERENCE = re.compile(r"_images/([^\"'\s?#)<>]+)")


def publish(site: Path, dest: Path) -> None:
    """Copy Sphinx's built ``site`` to ``dest``, leaving out images no page shows any more.

    Sphinx keeps its output folder between incremental builds and never deletes from
    ``_images``: after a data edit, the figures drawn from the old data would stay in the
    published book, unreferenced but there. Only the images that some page points at are
    copied (in a fresh build, that is all of them).
    """
    shown = {
        unquote(html.unescape(name))
        for page in site.rglob("*.html")
        for name in IMAGE_REFERENCE.findall(page.read_text(encoding="utf-8"))
    }
    images = site / "_images"

    def stale(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n not in shown] if Path(folder) == images else []

    shutil.copytree(site, dest, ignore=stale)


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
    structure_file = build_dir / "staging" / "structure.sha256"
    early: list[sphinx_child.Child] = []

    def set_up_sphinx(executing: list[str]) -> None:
        # Chapters are about to execute, so Sphinx will most likely run. If the last build
        # succeeded, its staged configuration, table of contents and bibliography and
        # Sphinx's pickled environment are there to set up from while they execute; after
        # staging, the structure stamp says whether they still hold.
        if structure_file.exists() and (out / "_build" / "html").is_dir():
            early.append(sphinx_child.Child.for_book(build_dir / "staging" / "src", out, early=True))

    try:
        results = run.run(names, parameters, jobs, build_dir, root, force, progress, starting=set_up_sphinx)
        print(run.summary(results))
        kept = _kept_message(build_dir)
        if any(r.status == "failed" for r in results):
            print(f"\nBuild stopped: a chapter failed. {kept}", file=sys.stderr)
            return 1
        src = stage(build_dir, root)
        stamp_file = build_dir / "html.sha256"
        stamp = source_stamp(src)
        if (build_dir / "html" / "index.html").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
            print(f"\nBook unchanged (same sources, package and environment as the last build): {build_dir / 'html'}")
            return 0
        structure = structure_stamp(src, root)
        last = structure_file.read_text() if structure_file.exists() else None
        incremental = last == structure and (out / "_build" / "html").is_dir()
        structure_file.unlink(missing_ok=True)  # written again only after a successful build
        if not incremental:
            # A fresh build: no environment or output of an earlier one, and no child set up
            # early from sources that have changed since.
            _stop(early)
            if out.exists():
                shutil.rmtree(out)
        how = "incremental (only changed pages)" if incremental else "fresh"
        if early:
            child, how = early.pop(), how + ", set up while the chapters executed"
        else:
            child = sphinx_child.Child.for_book(src, out)
        print(f"\nSphinx build: {how}")
        code = child.build()
        if code != 0:
            print(f"\nBuild failed: Sphinx reported warnings or errors (see above). {kept}", file=sys.stderr)
            return code or 1
        fresh_copy = build_dir / "html.new"
        if fresh_copy.exists():
            shutil.rmtree(fresh_copy)
        publish(out / "_build" / "html", fresh_copy)  # Sphinx keeps its own for the next build
        target = swap(fresh_copy, build_dir)
        stamp_file.write_text(stamp)
        structure_file.write_text(structure)
        print(f"\nBook built: {target / 'index.html'}")
        return 0
    finally:
        _stop(early)  # set up for nothing: the book was unchanged, or the build stopped


def _stop(children: list[sphinx_child.Child]) -> None:
    while children:
        children.pop().stop()


def _kept_message(build_dir: Path) -> str:
    site = build_dir / "html"
    if site.exists():
        return f"The last good book is unchanged at {site}."
    return "No book had been built before, so there is none to keep."
