"""Shared fixtures: one execution of every chapter and one strict build per test session.

Both use the real runner (papermill kernels) and the real Sphinx build, into one temporary
build folder, so tests never touch the developer's ``_build`` or any tracked file. The
build reuses the session's executions through the runner's cache, so each chapter executes
once per test session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def session_build_dir(tmp_path_factory) -> Path:
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
def events():
    """The paper's dated events (``data/events.csv``), loaded once for the unit tests."""
    from halfopen import data

    return data.load("events")


@pytest.fixture(scope="session")
def figures():
    """The counts and amounts the paper states (``data/paper_figures.csv``), loaded once."""
    from halfopen import data

    return data.load("paper_figures")
