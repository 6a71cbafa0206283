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

Nothing here writes into ``data/``, ``chapters/`` or any other tracked file.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from halfopen import paths
from halfopen.data import DataError

from . import html as html_steps
from . import run

#: Files and folders of the book (besides the chapters) copied to the staging folder.
BOOK_FILES = ["_config.yml", "_toc.yml", "intro.md", "references.bib", "CITATION.cff"]
BOOK_DIRS = ["_static", "_templates"]


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
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


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
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    h.update("\n".join(installed).encode())
    return h.hexdigest()


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
    """Copy Sphinx's built ``site`` to ``dest``: leave out images no page shows any more, and
    apply :func:`halfopen_book.html.rewrite` to every page.

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
    for page in dest.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        rewritten = html_steps.rewrite(text)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")


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
    src = stage(build_dir, root)
    stamp_file = build_dir / "html.sha256"
    stamp = source_stamp(src)
    target = build_dir / "html"
    if (target / "index.html").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
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
    publish(out / "_build" / "html", fresh_copy)  # Sphinx keeps its own for the next build
    swap(fresh_copy, build_dir)
    stamp_file.write_text(stamp)
    print(f"\nBook built: {target.resolve() / 'index.html'}")
    return 0


def _kept_message(build_dir: Path) -> str:
    site = build_dir / "html"
    if site.exists():
        return f"The last good book is unchanged at {site}."
    return "No book had been built before, so there is none to keep."
