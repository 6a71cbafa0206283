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

The suite runs on every core (``-n auto`` in ``pyproject.toml``, pytest-xdist). With
``--dist loadgroup`` each test marked ``xdist_group`` runs in the worker of its group, so each
build is made once per session: the hook below marks every test that uses the checkout's
builds ``book`` and every test that uses the copy ``copy``. The two groups run side by side;
the unit tests and the Binder test fill in wherever a worker is free.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from copies import build_with_address, copy_book, fail, halfopen, snapshot, tree_hashes

ROOT = Path(__file__).resolve().parent.parent

#: Fixtures that make or read one of the builds -> the xdist group of the tests that use them.
#: (``html_dir`` asks for ``built_book`` at run time, so it is named here itself.)
GROUPS = {
    "chapter_results": "book",
    "built_book": "book",
    "html_dir": "book",
    "published_book": "book",
    "published_pdfs": "book",
    "copied_book": "copy",
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the marks
def pytest_collection_modifyitems(config, items):
    """Mark each test that uses a build with its build's group (see the module's docstring)."""
    for item in items:
        groups = {GROUPS[name] for name in item.fixturenames if name in GROUPS}
        if len(groups) > 1:
            raise pytest.UsageError(f"{item.nodeid} uses fixtures of two build groups: {sorted(groups)}")
        if groups:
            item.add_marker(pytest.mark.xdist_group(groups.pop()))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def made_once(tmp_path_factory, what: str) -> None:
    """Fail when another worker of this run already made ``what``: the grouping broke.

    Under pytest-xdist every worker has its own session, so a session fixture runs once per
    worker that asks for it. The groups above keep each build in one worker; this check proves
    it, in a folder all workers of the run share (unused without xdist).
    """
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run_id:
        return
    mark = tmp_path_factory.getbasetemp().parent / f"made-{run_id}-{what}"
    try:
        mark.touch(exist_ok=False)
    except FileExistsError:
        pytest.fail(
            f"a second worker made {what!r}: pytest-xdist's --dist loadgroup did not keep its tests "
            "in one worker (see the note on pytest in requirements.txt)"
        )


@pytest.fixture(scope="session")
def session_build_dir(tmp_path_factory) -> Path:
    made_once(tmp_path_factory, "the session build")
    return tmp_path_factory.mktemp("book-build")


@pytest.fixture(scope="session")
def chapter_results(session_build_dir):
    """Every chapter of the toc executed once by the runner (in parallel): name -> Result."""
    from halfopen_book import run

    results = run.run(build_dir=session_build_dir, progress=False)
    return {r.chapter: r for r in results}


@pytest.fixture(scope="session")
def built_book(session_build_dir, chapter_results) -> Path:
    """Build the book once (strict: -W -n --keep-going) into the session folder; return html/.

    Fails (never skips) when the build fails, with the build's own output.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "halfopen", "build", "--build-dir", str(session_build_dir), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"the book did not build (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    html = session_build_dir / "html"
    assert (html / "index.html").exists(), "the build reported success but wrote no index.html"
    return html


@pytest.fixture(scope="session")
def published_book(tmp_path_factory) -> dict:
    """The checkout built from nothing (every chapter executed again) with an address.

    Returns its ``html`` folder, its ``build`` folder and a ``snapshot`` taken right after the
    build (the PDF test later rebuilds it).
    """
    made_once(tmp_path_factory, "the published build")
    build_dir = tmp_path_factory.mktemp("published")
    proc = build_with_address(build_dir)
    if proc.returncode != 0:
        pytest.fail(f"no build with an address:\n{fail(proc)}")
    return {"html": build_dir / "html", "build": build_dir, "snapshot": snapshot(build_dir)}


@pytest.fixture(scope="session")
def published_pdfs(published_book) -> dict:
    """The deploy workflow's second step: the PDFs printed from the published book.

    Returns the printer's process, the folder it printed into, and the intro page and whether
    the site had a ``pdf`` folder, as they were before printing.
    """
    build_dir = published_book["build"]
    intro_before = (published_book["html"] / "intro.html").read_text(encoding="utf-8")
    pdf_dir_before = (published_book["html"] / "pdf").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "halfopen_book.pdf", "--build-dir", str(build_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return {"proc": proc, "dir": build_dir / "pdf", "intro_before": intro_before, "pdf_dir_before": pdf_dir_before}


@pytest.fixture(scope="session")
def copied_book(tmp_path_factory) -> dict:
    """A copy of the book built once, cold, into a build folder beside it.

    Returns the ``copy``, its ``build`` folder, the cold build's process (``cold``), the hashes
    of the copy's files ``before`` and ``after`` it. Tests that edit the copy restore what they edit.
    """
    made_once(tmp_path_factory, "the copy's build")
    base = tmp_path_factory.mktemp("copy")
    copy = copy_book(base / "book")
    build_dir = base / "build"
    before = tree_hashes(copy)
    proc = halfopen(copy, "build", "--build-dir", str(build_dir), "--no-progress")
    after = tree_hashes(copy)
    if proc.returncode != 0 or "Book built" not in proc.stdout:
        pytest.fail(f"the copy did not build:\n{fail(proc)}")
    return {"copy": copy, "build": build_dir, "cold": proc, "before": before, "after": after}


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
