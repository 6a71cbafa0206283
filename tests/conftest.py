"""Shared fixtures: the repository, and one strict build of the whole book per test session.

The session build runs the real runner (papermill kernels) and the real Sphinx build into a
temporary build folder, so tests never touch the developer's ``_build`` or any tracked file.
Tests that need the built site (HTML checks, the browser suite) share it.
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
def built_book(tmp_path_factory) -> Path:
    """Build the book once into a temporary folder; return its ``html`` folder.

    Fails (never skips) when the build fails, with the build's own output.
    """
    build_dir = tmp_path_factory.mktemp("book-build")
    proc = subprocess.run(
        [sys.executable, "-m", "halfopen", "build", "--build-dir", str(build_dir), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"the book did not build (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    html = build_dir / "html"
    assert (html / "index.html").exists(), "the build reported success but wrote no index.html"
    return html
