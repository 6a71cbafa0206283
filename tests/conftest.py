"""Shared fixtures: the three real builds of a test session, and how the tests share two cores.

Every build uses the real runner (papermill kernels) and the real Sphinx build, into temporary
build folders, so tests never touch the developer's ``_build`` or any tracked file:

* ``chapter_results`` / ``built_book``: the checkout's chapters executed once, then one strict
  build without a site address (what a local ``python3 tasks.py book`` makes);
* ``published_book``: a second build of the checkout from nothing, with a site address and a
  repository, as the deploy workflow makes it; ``published_pdfs`` prints its PDFs. Being a
  second clean build of the same sources, it is also what the determinism test compares with
  the first;
* ``copied_book``: a copy of the book (``tests/copies.py``) built cold, on which the runner and
  trust tests edit tables, chapters and code.

The suite runs on every core (``-n auto --dist loadfile`` in ``pyproject.toml``: pytest-xdist
sends each test file to one worker, so a file's module fixtures, the browser's walk of the
site among them, are made once). A build is made once per run whichever worker asks for it
first: :func:`once` is pytest-xdist's documented recipe for session fixtures that must run once
("Making session-scoped fixtures execute only once": a file lock in the folder all workers of a
run share; the first worker makes the build, the others wait for it and read its record).
The copy is edited by one test at a time: each test that uses it holds a second lock for its
whole run, and leaves the copy's sources as it found them (checked when it ends). All of them
are in ``tests/test_runner.py``, so they run in one worker and never wait for each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from copies import build_with_address, copy_book, fail, halfopen, pages, snapshot, tree_hashes
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "tests" / "browser"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """The folder every worker of this run shares (pytest's own temporary folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(run_dir: Path, name: str, make: Callable[[Path], dict]) -> dict:
    """``make(folder)`` once per test run, in a new ``folder`` named ``name``, whichever worker
    asks first; the others wait on the lock and read what it returned (JSON). When ``make``
    fails, every test that asks fails with its message, and the build is not attempted again."""
    record = run_dir / f"{name}.json"
    with FileLock(str(record) + ".lock"):
        if not record.is_file():
            try:
                done = {"value": make(run_dir / name)}
            except Exception as exc:  # a build that could not start: reported, not retried
                done = {"failed": f"{name}: {type(exc).__name__}: {exc}"}
            except pytest.fail.Exception as exc:  # the build ran and failed
                done = {"failed": str(exc)}
            record.write_text(json.dumps(done), encoding="utf-8")
        done = json.loads(record.read_text(encoding="utf-8"))
    if "failed" in done:
        pytest.fail(done["failed"], pytrace=False)
    return done["value"]


def _process(proc: subprocess.CompletedProcess) -> dict:
    return {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def _book(folder: Path) -> dict:
    from halfopen_book import run

    results = run.run(build_dir=folder, progress=False)
    proc = subprocess.run(
        [sys.executable, "-m", "halfopen", "build", "--build-dir", str(folder), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"the book did not build (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    assert (folder / "html" / "index.html").exists(), "the build reported success but wrote no index.html"
    return {"build": str(folder), "results": [vars(r) for r in results]}


@pytest.fixture(scope="session")
def session_book(run_dir) -> dict:
    """The checkout's chapters executed once by the runner (in parallel), then built strictly."""
    return once(run_dir, "book-build", _book)


@pytest.fixture(scope="session")
def session_build_dir(session_book) -> Path:
    return Path(session_book["build"])


@pytest.fixture(scope="session")
def chapter_results(session_book) -> dict:
    """Every chapter of the toc executed once by the runner: name -> Result."""
    from halfopen_book import run

    return {r["chapter"]: run.Result(**r) for r in session_book["results"]}


@pytest.fixture(scope="session")
def built_book(session_build_dir) -> Path:
    """The session's book (strict: -W -n --keep-going), its html/ folder.

    Fails (never skips) when the build fails, with the build's own output.
    """
    return session_build_dir / "html"


@pytest.fixture(scope="session")
def html_dir(request) -> Path:
    """The site the browser and site tests read: the session's book, or an existing built site
    named by ``HALFOPEN_TEST_HTML`` (for quick work on those tests only)."""
    override = os.environ.get("HALFOPEN_TEST_HTML")
    if override:
        return Path(override).resolve()
    return request.getfixturevalue("built_book")


@pytest.fixture(scope="session")
def node_modules(run_dir) -> Path:
    """tests/browser/node_modules (axe-core, pdf.js), installed from the lock file with `npm ci`
    when missing or older than the lock file; one worker at a time."""
    modules = JS_DIR / "node_modules"
    stamp = modules / ".package-lock.json"
    lock = JS_DIR / "package-lock.json"
    with FileLock(str(run_dir / "npm.lock")):
        if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
            npm = shutil.which("npm")
            if not npm:
                pytest.fail("npm is missing: install Node.js 20 and npm (the browser tests need axe-core and pdf.js)")
            proc = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR, capture_output=True, text=True
            )
            if proc.returncode != 0:
                pytest.fail(f"`npm ci` in {JS_DIR} failed:\n{proc.stdout}\n{proc.stderr}")
    for needed in ("axe-core/axe.min.js", "pdfjs-dist/legacy/build/pdf.mjs"):
        assert (modules / needed).exists(), f"{needed} missing after npm ci"
    return modules


def _published(folder: Path) -> dict:
    proc = build_with_address(folder)
    if proc.returncode != 0:
        pytest.fail(f"no build with an address:\n{fail(proc)}")
    return {"html": str(folder / "html"), "build": str(folder), "snapshot": snapshot(folder)}


@pytest.fixture(scope="session")
def published_book(run_dir) -> dict:
    """The checkout built from nothing (every chapter executed again) with an address.

    Returns its ``html`` folder, its ``build`` folder and a ``snapshot`` taken right after the
    build (the PDF test later rebuilds it).
    """
    made = once(run_dir, "published", _published)
    return {**made, "html": Path(made["html"]), "build": Path(made["build"])}


@pytest.fixture(scope="session")
def published_pdfs(run_dir, published_book) -> dict:
    """The deploy workflow's second step: the PDFs printed from the published book.

    Returns the printer's process, the folder it printed into, and the intro page and whether
    the site had a ``pdf`` folder, as they were before printing.
    """

    def print_pdfs(_folder: Path) -> dict:
        build_dir = published_book["build"]
        intro_before = (published_book["html"] / "intro.html").read_text(encoding="utf-8")
        pdf_dir_before = (published_book["html"] / "pdf").exists()
        proc = subprocess.run(
            [sys.executable, "-m", "halfopen_book.pdf", "--build-dir", str(build_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return {
            "proc": _process(proc),
            "dir": str(build_dir / "pdf"),
            "intro_before": intro_before,
            "pdf_dir_before": pdf_dir_before,
        }

    made = once(run_dir, "published-pdfs", print_pdfs)
    return {**made, "proc": SimpleNamespace(**made["proc"]), "dir": Path(made["dir"])}


def _copy(folder: Path) -> dict:
    copy = copy_book(folder / "book")
    build_dir = folder / "build"
    before = tree_hashes(copy)
    proc = halfopen(copy, "build", "--build-dir", str(build_dir), "--no-progress")
    after = tree_hashes(copy)
    if proc.returncode != 0 or "Book built" not in proc.stdout:
        pytest.fail(f"the copy did not build:\n{fail(proc)}")
    return {
        "copy": str(copy),
        "build": str(build_dir),
        "cold": _process(proc),
        "before": before,
        "after": after,
        "pages": pages(build_dir / "html"),
    }


@pytest.fixture(scope="session")
def copy_build(run_dir) -> dict:
    """A copy of the book built once, cold, into a build folder beside it (made once per run)."""
    return once(run_dir, "copy", _copy)


@pytest.fixture
def copied_book(run_dir, copy_build):
    """The session's copy, for one test at a time.

    Returns the ``copy``, its ``build`` folder, the cold build's process (``cold``), the hashes
    of the copy's files ``before`` and ``after`` it, and of its ``pages`` (:func:`copies.pages`).
    The test holds the copy's lock while it runs and must leave the copy's sources as it found
    them (restoring what it edits).
    """
    copy = Path(copy_build["copy"])
    with FileLock(str(run_dir / "copy-in-use.lock")):
        yield {
            **copy_build,
            "copy": copy,
            "build": Path(copy_build["build"]),
            "cold": SimpleNamespace(**copy_build["cold"]),
        }
        left, found = tree_hashes(copy), copy_build["after"]
        changed = sorted(k for k in left.keys() | found.keys() if left.get(k) != found.get(k))
        assert not changed, f"the test left the copy's sources changed: {changed}"


@pytest.fixture(scope="session")
def events():
    """The paper's dated events (``data/events.csv``), loaded once for the unit tests."""
    from halfopen import data

    return data.load("events")


@pytest.fixture(scope="session")
def figures():
    """The counts and amounts the paper states (``data/paper_figures.csv``), loaded once."""
    from halfopen import data

    return data.load("paper_figures")


@pytest.fixture(scope="session")
def study():
    """The update's study (chapters 13 to 15) with the chapters' default parameters. Shared:
    tests that need another take a copy (``dataclasses.replace``), never change this one."""
    from halfopen import method

    return method.load_study()
