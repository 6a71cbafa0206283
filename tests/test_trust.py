"""Trust (issue 5): nothing is lost, a failed build keeps the last good book, the same inputs give
the same book, and text from data is escaped in the HTML.

(1) The hash of every tracked file (``git ls-files``) is taken when this module is collected,
    before any test of the session runs, and again after the session's real-checkout execution
    and build (the ``chapter_results`` and ``built_book`` fixtures of ``conftest.py``) and this
    module's heavy paths: nothing changed, and no new file appeared in ``data/`` or ``chapters/``.
(2) On the session's copy of the book (``copied_book``, run with ``PYTHONPATH=<copy>``), a
    build that fails, by a bad table or by a Sphinx warning (a broken ``{ref}``), leaves the
    last good ``html/`` byte-identical and says so.
(3) The session's two clean builds of the checkout (``built_book``, and ``published_book``:
    another build folder, every chapter executed again) give byte-identical figures
    (``html/_images``) and executed notebooks: every chapter's notebook byte for byte. (The
    first run of this test found every cell id random: papermill upgrades the nbformat-4.4
    sources and assigns random ids; ``halfopen_book.run._normalise`` now makes them
    deterministic.) Their pages differ on purpose (one has a site address), so pages are
    compared by the runner's test of an incremental build against a fresh one.
(4) A cell of ``data/study_sample.csv`` holding ``<script>alert(1)</script>`` shows as that text
    in chapter 04's table, and no page of the book holds a script element running it.

Heavy (marked ``slow``): they share the session's builds (``conftest.py``) and make three
incremental ones of the copy; each test restores what it edits in the copy.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from copies import edited, fail, halfopen, snapshot, tree_hashes
from test_runner import statuses, text_of

from halfopen_book import run

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>"
CH04 = "04_data_collection_and_analysis"


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


# --------------------------------------------------------------------------- (2) a failed build keeps the good book


def _kept(proc, build: Path) -> None:
    assert proc.returncode != 0, fail(proc)
    assert f"The last good book is unchanged at {build / 'html'}." in proc.stderr, fail(proc)
    assert "Book built" not in proc.stdout


@pytest.mark.slow
def test_2_a_bad_table_stops_the_build_and_the_last_good_html_stays(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    table = copy / "data" / "freedom_house.csv"
    original = table.read_bytes()
    html_before, stamp_before = tree_hashes(build / "html"), (build / "html.sha256").read_bytes()
    text = original.decode("utf-8")
    assert text.count("\nKazakhstan,2019,NF,7,") == 1
    try:
        table.write_text(text.replace("\nKazakhstan,2019,NF,7,", "\nKazakhstan,2019,NF,8,"), encoding="utf-8")
        proc = halfopen(copy, "build", "--build-dir", str(build), "--no-progress")
    finally:
        table.write_bytes(original)
    _kept(proc, build)
    # validated before any kernel starts: no chapter ran, Sphinx never started
    assert "Build stopped: a table is invalid." in proc.stderr, fail(proc)
    rule = r"data/freedom_house\.csv, row \d+, column 'pr_rating': value '8': must be at most 7"
    assert re.search(rule, proc.stderr), fail(proc)
    assert "Traceback" not in proc.stderr
    assert not statuses(proc), "chapters ran although a table was invalid"
    assert "Sphinx: building" not in proc.stdout, fail(proc)
    assert tree_hashes(build / "html") == html_before
    assert (build / "html.sha256").read_bytes() == stamp_before


@pytest.mark.slow
def test_2_a_sphinx_warning_fails_the_build_and_the_last_good_html_stays(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    src = copy / "chapters" / "01_background.ipynb"
    original = src.read_bytes()
    nb = nbformat.reads(original.decode("utf-8"), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("See {ref}`ch-no-such-chapter-h5`."))
    html_before, stamp_before = tree_hashes(build / "html"), (build / "html.sha256").read_bytes()
    try:
        src.write_text(nbformat.writes(nb), encoding="utf-8")
        proc = halfopen(copy, "build", "--build-dir", str(build), "--no-progress")
    finally:
        src.write_bytes(original)
    _kept(proc, build)
    assert "Build failed: Sphinx reported warnings or errors" in proc.stderr, fail(proc)
    assert "ch-no-such-chapter-h5" in proc.stderr, fail(proc)  # the warning, printed in full
    assert "Running Jupyter-Book" not in proc.stdout + proc.stderr, "Sphinx's own log belongs in sphinx.log"
    assert "ch-no-such-chapter-h5" in (build / "sphinx.log").read_text(encoding="utf-8")
    assert statuses(proc).get("01_background") == "executed"  # it executed fine: Sphinx refused it
    assert tree_hashes(build / "html") == html_before
    assert (build / "html.sha256").read_bytes() == stamp_before


# --------------------------------------------------------------------------- (4) text from data is escaped


class _Scripts(HTMLParser):
    """Collects the content and src of every <script> element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = True
            self.scripts.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


@pytest.mark.slow
def test_4_a_script_in_a_table_cell_shows_as_text(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    table = copy / "data" / "study_sample.csv"
    original = table.read_bytes()
    lines = original.decode("utf-8").split("\n")
    # the note of the first row is empty: "...,<place>,,11"
    assert lines[1].endswith(",,11"), lines[1]
    lines[1] = lines[1][: -len(",,11")] + f",{SCRIPT},11"
    with edited(copy, build, table):
        table.write_text("\n".join(lines), encoding="utf-8")
        proc = halfopen(copy, "build", "--build-dir", str(build), "--no-progress")
        page = (build / "html" / "chapters" / f"{CH04}.html").read_text(encoding="utf-8")
        pages = {p.name: p.read_text(encoding="utf-8") for p in sorted((build / "html").rglob("*.html"))}
    assert proc.returncode == 0 and "Book built" in proc.stdout, fail(proc)
    assert statuses(proc)[CH04] == "executed"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "the cell's text is not in the page, escaped"
    cells = [html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert any(SCRIPT in text_of(c) or SCRIPT in c.replace("\n", "") for c in cells), "not shown in a table cell"
    for name, text in pages.items():
        parser = _Scripts()
        parser.feed(text)
        assert not [s for s in parser.scripts if "alert(1)" in s], f"{name} runs the script from the data"


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
