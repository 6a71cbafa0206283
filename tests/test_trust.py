"""Trust (issue 5): nothing is lost, a failed build keeps the last good book, the same inputs give
the same book, and text from data is escaped in the HTML.

(1) The hash of every tracked file (``git ls-files``) is taken when this module is collected,
    before any test of the session runs, and again after the session's real-checkout execution
    and build (the ``chapter_results`` and ``built_book`` fixtures of ``conftest.py``) and this
    module's heavy paths: nothing changed, and no new file appeared in ``data/`` or ``chapters/``.
(2) A build that fails, by a bad table or by a Sphinx warning (a broken ``{ref}``), leaves the
    last good ``html/`` byte-identical and says so: tested on the session's copy of the book, in
    ``tests/test_runner.py`` with the runner's other tests of the copy (one file, so that the
    tests that edit the copy run in one worker, one after another).
(3) The session's two clean builds of the checkout (``built_book``, and ``published_book``:
    another build folder, every chapter executed again) give byte-identical figures
    (``html/_images``) and executed notebooks: every chapter's notebook byte for byte. (The
    first run of this test found every cell id random: papermill upgrades the nbformat-4.4
    sources and assigns random ids; ``halfopen_book.run._normalise`` now makes them
    deterministic.) Their pages differ on purpose (one has a site address), so pages are
    compared by the runner's test of an incremental build against a fresh one.
(4) A cell of ``data/study_sample.csv`` holding ``<script>alert(1)</script>`` shows as that text
    in chapter 04's table, and no page of the book holds a script element running it: also on
    the copy, in ``tests/test_runner.py``.

Heavy (marked ``slow``): they share the session's builds (``conftest.py``).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import nbformat
import pytest
from copies import snapshot

from halfopen_book import run

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> list[str]:
    out = subprocess.run(["git", *args, "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return sorted(filter(None, out.split("\0")))


def tracked_hashes() -> dict[str, str | None]:
    """Every tracked file -> SHA-256 of its bytes (None if deleted in the working tree)."""
    out = {}
    for rel in _git("ls-files"):
        p = ROOT / rel
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
    return out


def new_files_in_sources() -> list[str]:
    """Files in data/ and chapters/ that git doesn't track and doesn't ignore."""
    return _git("ls-files", "--others", "--exclude-standard", "--", "data", "chapters")


# Taken at collection, before any test (and any session fixture) of the run.
TRACKED_AT_START = tracked_hashes()
NEW_AT_START = new_files_in_sources()


# --------------------------------------------------------------------------- (3) the same inputs, the same book


@pytest.mark.slow
def test_3_two_clean_builds_give_identical_figures_and_notebooks(session_build_dir, built_book, published_book):
    a, b = snapshot(session_build_dir), published_book["snapshot"]
    assert a["images"], "the book has no figure files"
    assert all(name.endswith((".png", ".svg")) for name in a["images"]), sorted(a["images"])
    assert a["images"] == b["images"], "figure files differ between two clean builds"
    assert len(a["executed"]) == len(run.chapters(ROOT))
    differ = [name for name in a["executed"] if a["executed"][name] != b["executed"].get(name)]
    assert not differ, f"executed notebooks differ between two clean builds: {differ}"


@pytest.mark.slow
def test_3_figure_files_carry_no_timestamp(built_book):
    images = sorted((built_book / "_images").iterdir())
    for p in images:
        body = p.read_bytes()
        if p.suffix == ".png":
            assert b"tIME" not in body, f"{p.name}: a PNG time chunk"
        elif p.suffix == ".svg":
            assert b"<dc:date>" not in body, f"{p.name}: an SVG date"


@pytest.mark.slow
def test_3_executed_notebooks_carry_no_timing_metadata(session_build_dir, chapter_results):
    for p in sorted((session_build_dir / "executed").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        assert "papermill" not in nb.metadata, p.name
        for cell in nb.cells:
            assert not {"papermill", "execution"} & set(cell.metadata), (p.name, cell.metadata)


# --------------------------------------------------------------------------- (1) nothing is written into the sources


@pytest.mark.slow
def test_1_no_command_writes_a_tracked_file(chapter_results, built_book, published_pdfs):
    """After the session's builds of the checkout (with and without an address) and its PDFs.

    (The copy's builds never see the checkout: ``test_runner`` checks the copy's own sources.)
    """
    assert chapter_results and (built_book / "index.html").exists() and published_pdfs["proc"].returncode == 0
    after = tracked_hashes()
    changed = sorted(rel for rel in set(TRACKED_AT_START) | set(after) if TRACKED_AT_START.get(rel) != after.get(rel))
    assert not changed, (
        f"tracked files changed while the book was executed and built: {changed} "
        "(in a working tree that people edit during the test run, their edits show here too)"
    )
    assert new_files_in_sources() == NEW_AT_START, "new files appeared in data/ or chapters/"
