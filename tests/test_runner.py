"""The papermill runner (halfopen_book.run): its functions, and its promises on a copy of the book.

Unit tests exercise the pure functions on small hand-made notebooks and manifests. The
integration tests (marked ``slow``) work on the session's ``copied_book`` (``conftest.py``,
``tests/copies.py``): the book's files copied into a temporary folder and built cold with the
COPY's own package (``PYTHONPATH=<copy>``, ``cwd=<copy>``), so ``paths.ROOT`` is the copy and
every edit below (a data value, a failing cell) touches the copy only. They prove the
promises of issue 4:

(a) a no-op rebuild executes no chapter;
(b) editing one value of one table re-executes exactly the chapters that read it (as their
    manifests recorded), and the rebuilt HTML shows the new value everywhere, prose included;
(c) a failing chapter is named with its cell and error, the others still finish, the exit
    code is non-zero and the last good book stays in place;
(d) ``-p`` and ``-f`` reach exactly the chapters that declare them; an undeclared parameter
    exits 2 with a clear message;
(e) executed notebooks go to the build folder; the sources are never written;

and two promises of issue 5 (``tests/test_trust.py`` has the others): a build that fails, by a
bad table or a Sphinx warning, keeps the last good book (2); text from data is escaped (4).
Every test of the copy is in this file, so that they run in one worker, one after another.
"""

from __future__ import annotations

import csv
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from copies import edited, fail, halfopen, pages, sha, tree_hashes

from halfopen_book import run

ROOT = Path(__file__).resolve().parent.parent
CH02 = "02_open_government_in_central_asia"
SUMMARY_COUNTS = re.compile(r"^(\d+) executed, (\d+) cached, (\d+) failed$", re.M)
SUMMARY_ROW = re.compile(r"^(\S+)\s+(executed|cached|failed)\s+\d+\.\d\s", re.M)


# --------------------------------------------------------------------------- helpers


def make_notebook(path: Path, parameters: str | None, body: str = "x = 1", outputs: bool = False) -> Path:
    """A small notebook: an optional cell tagged ``parameters``, then one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# A chapter"))
    if parameters is not None:
        nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cell = nbformat.v4.new_code_cell(body)
    if outputs:
        cell.execution_count = 7
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    nb.cells.append(cell)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def statuses(proc: subprocess.CompletedProcess) -> dict[str, str]:
    """Chapter -> executed/cached/failed, from the summary table the command prints."""
    return dict(SUMMARY_ROW.findall(proc.stdout))


def counts(proc: subprocess.CompletedProcess) -> tuple[int, int, int]:
    m = SUMMARY_COUNTS.search(proc.stdout)
    assert m, f"no summary line in the output:\n{proc.stdout}\n{proc.stderr}"
    return int(m[1]), int(m[2]), int(m[3])


def manifests(build: Path) -> dict[str, dict]:
    """The last good manifest of every chapter in a build folder."""
    out = {}
    for p in (build / "executed").glob("*.json"):
        if p.name.endswith(".failed.json") or p.name == "run_record.json":
            continue
        m = json.loads(p.read_text(encoding="utf-8"))
        out[m["chapter"]] = m
    return out


def text_of(html: str) -> str:
    """Visible text of an HTML page, tags dropped and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_rows(html: str, first_cell: str) -> list[list[str]]:
    """The cells of every table row whose text contains ``first_cell``."""
    rows = []
    for tr in re.findall(r"<tr.*?</tr>", html, re.S):
        cells = [text_of(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        if any(first_cell in c for c in cells):
            rows.append(cells)
    return rows


def images_shown(site: Path) -> set[str]:
    """Names of the ``_images`` files that the site's pages point at, by an HTML parser."""
    from html.parser import HTMLParser
    from urllib.parse import unquote, urlsplit

    shown: set[str] = set()

    class Pointers(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in ("src", "href") and value and "_images/" in value:
                    shown.add(unquote(urlsplit(value).path.rsplit("_images/", 1)[1]))

    for page in site.rglob("*.html"):
        Pointers().feed(page.read_text(encoding="utf-8"))
    return shown


# --------------------------------------------------------------------------- unit: cache keys


def test_notebook_hash_ignores_outputs_but_not_code_or_tags(tmp_path):
    base = run.notebook_hash(make_notebook(tmp_path / "a.ipynb", "edition = 2019"))
    assert run.notebook_hash(make_notebook(tmp_path / "b.ipynb", "edition = 2019", outputs=True)) == base
    assert run.notebook_hash(make_notebook(tmp_path / "c.ipynb", "edition = 2019", "x = 2")) != base
    assert run.notebook_hash(make_notebook(tmp_path / "d.ipynb", "edition = 2020")) != base
    untagged = make_notebook(tmp_path / "e.ipynb", None, "edition = 2019\n")
    assert run.notebook_hash(untagged) != base


def _manifest(inputs: run.Inputs, reads: list[dict], status: str = "ok") -> dict:
    from dataclasses import asdict

    return {"version": run.MANIFEST_VERSION, "status": status, "inputs": asdict(inputs), "reads": reads}


def test_stale_reasons(tmp_path):
    executed = tmp_path / "ch.ipynb"
    executed.write_text("{}", encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    reads = [{"path": str(table), "sha256": sha(table)}]
    inputs = run.Inputs("nb1", {"edition": 2019}, "code1", "env1")
    current = _manifest(inputs, reads)

    assert run.stale_reasons(current, inputs, executed) == []
    assert run.stale_reasons(None, inputs, executed) == ["never executed"]
    assert run.stale_reasons(current, inputs, tmp_path / "gone.ipynb") == ["never executed"]
    assert run.stale_reasons({**current, "version": 0}, inputs, executed) == ["never executed"]
    assert run.stale_reasons(_manifest(inputs, reads, "failed"), inputs, executed) == ["last run failed"]
    assert run.stale_reasons(current, run.Inputs("nb2", {"edition": 2019}, "code1", "env1"), executed) == ["notebook"]
    assert run.stale_reasons(current, run.Inputs("nb1", {"edition": 2025}, "code1", "env1"), executed) == ["parameters"]
    assert run.stale_reasons(current, run.Inputs("nb1", {"edition": 2019}, "code2", "env2"), executed) == [
        "code",
        "environment",
    ]

    table.write_text("a,b\n1,3\n", encoding="utf-8")  # one value edited
    (reason,) = run.stale_reasons(current, inputs, executed)
    assert reason.startswith("changed: ") and reason.endswith("t.csv")
    table.unlink()  # a table that has gone is a change too
    assert len(run.stale_reasons(current, inputs, executed)) == 1


def test_environment_hash_is_stable_and_content_based(tmp_path):
    (tmp_path / "requirements.txt").write_text("pandas==2.2.3\n", encoding="utf-8")
    before = run.environment_hash(tmp_path)
    assert run.environment_hash(tmp_path) == before
    (tmp_path / "requirements.txt").write_text("pandas==2.2.2\n", encoding="utf-8")
    assert run.environment_hash(tmp_path) != before


def test_summary_counts_and_errors():
    results = [
        run.Result("01_a", "executed", 2.04, "/x/01_a.ipynb"),
        run.Result("02_b", "cached", 1.0, "/x/02_b.ipynb"),
        run.Result("03_c", "failed", 0.5, "/x/03_c.failed.ipynb", "cell 4 (ValueError): bad\nline two"),
    ]
    text = run.summary(results)
    assert "1 executed, 1 cached, 1 failed" in text
    assert re.search(r"^01_a\s+executed\s+2\.0\s+/x/01_a\.ipynb$", text, re.M)
    assert "FAILED 03_c: cell 4 (ValueError): bad\nline two" in text


# --------------------------------------------------------------------------- integration (a copy of the book)


@pytest.mark.slow
def test_the_copy_runs_its_own_package(copied_book):
    copy = copied_book["copy"]
    env = dict(os.environ, PYTHONPATH=str(copy))
    probe = subprocess.run(
        [sys.executable, "-c", "import halfopen, halfopen.paths as p; print(halfopen.__file__); print(p.ROOT)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert probe == [str(copy / "halfopen" / "__init__.py"), str(copy)]
    # ... and so did the kernels: every file a chapter read lies inside the copy or its build folder
    reads = [r["path"] for m in manifests(copied_book["build"]).values() for r in m["reads"]]
    assert any(p.endswith("/data/freedom_house.csv") for p in reads)
    outside = [p for p in reads if not (p.startswith(str(copy) + "/") or p.startswith(str(copied_book["build"]) + "/"))]
    assert not outside, f"chapters read files outside the copy: {outside}"


@pytest.mark.slow
def test_e_executed_notebooks_go_to_the_build_folder_never_over_the_sources(copied_book):
    assert copied_book["after"] == copied_book["before"], "building changed files of the book's sources"
    copy, executed = copied_book["copy"], copied_book["build"] / "executed"
    for c in run.chapters(copy):
        src = nbformat.read(c.path, as_version=4)
        assert all(not cell.get("outputs") for cell in src.cells if cell.cell_type == "code"), c.name
        done = nbformat.read(executed / f"{c.name}.ipynb", as_version=4)
        code = [cell for cell in done.cells if cell.cell_type == "code"]
        assert code and all(cell.execution_count for cell in code), f"{c.name}: not every cell was executed"
    assert counts(copied_book["cold"]) == (len(run.chapters(copy)), 0, 0)


@pytest.mark.slow
def test_a_noop_rebuild_executes_no_chapter(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    executed_before = tree_hashes(build / "executed")
    proc = halfopen(copy, "run", "--build-dir", str(build), "--no-progress")
    assert proc.returncode == 0, fail(proc)
    n = len(run.chapters(copy))
    assert counts(proc) == (0, n, 0)
    assert set(statuses(proc).values()) == {"cached"}
    assert tree_hashes(build / "executed") == executed_before, "a no-op run rewrote executed notebooks"


@pytest.mark.slow
def test_a_noop_build_skips_sphinx_and_keeps_the_book_byte_identical(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    html_before = tree_hashes(build / "html")
    env = {k: v for k, v in os.environ.items() if k not in ("HALFOPEN_DATA_DIR", "HALFOPEN_READ_LOG")}
    env["PYTHONPATH"] = str(copy)  # as copies.halfopen, with Python listing each import on stderr
    cmd = [sys.executable, "-X", "importtime", "-m", "halfopen", "build", "--build-dir", str(build), "--no-progress"]
    proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, fail(proc)
    assert "Book unchanged" in proc.stdout, fail(proc)
    assert "Sphinx: building" not in proc.stdout, "Sphinx ran although nothing had changed"
    assert tree_hashes(build / "html") == html_before
    # What only executing a chapter needs is not imported when no chapter executes.
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", proc.stderr, re.M))
    assert "halfopen_book.build" in imported, "no import record (python -X importtime)"
    assert not imported & {"papermill", "nbclient", "jupyter_client"}, sorted(imported)


@pytest.mark.slow
def test_b_one_table_edit_reexecutes_exactly_its_readers_and_shows_everywhere(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    table = copy / "data" / "freedom_house.csv"
    readers = {name for name, m in manifests(build).items() if str(table) in {r["path"] for r in m["reads"]}}
    all_names = {c.name for c in run.chapters(copy)}
    assert CH02 in readers and readers != all_names, f"readers: {readers}"

    # Kazakhstan, 2019 edition: civil liberties 17 -> 36, so the total 22 -> 41 (the sum rule holds,
    # the ratings and status are untouched). 41 also beats Kyrgyzstan's 38: the "highest" sentence changes.
    with edited(copy, build, table) as restored:
        rows = list(csv.reader(table.read_text(encoding="utf-8").splitlines()))
        header = rows[0]
        i = [n for n, r in enumerate(rows) if r[:2] == ["Kazakhstan", "2019"]]
        assert len(i) == 1
        kz = dict(zip(header, rows[i[0]]))
        assert (kz["pr_score"], kz["cl_score"], kz["total_score"]) == ("5", "17", "22"), "the paper's values moved"
        kz.update(cl_score="36", total_score="41")
        rows[i[0]] = [kz[h] for h in header]
        table.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")

        proc = halfopen(copy, "build", "--build-dir", str(build), "--no-progress")
        assert proc.returncode == 0 and "Book built" in proc.stdout, fail(proc)
        # only outputs changed: Sphinx's own incremental build re-reads just the changed pages
        assert "Sphinx: building" in proc.stdout
        log = (build / "sphinx.log").read_text(encoding="utf-8")
        reread = re.search(r"updating environment: .*?(\d+) added, (\d+) changed, (\d+) removed", log)
        assert reread and reread[1] == "0" and 0 < int(reread[2]) < len(all_names), log[-3000:]
        st = statuses(proc)
        assert set(st) == all_names
        executed = {n for n, s in st.items() if s == "executed"}
        assert executed == readers, f"executed {sorted(executed)}, readers {sorted(readers)}"
        assert all(st[n] == "cached" for n in all_names - readers)
        new_sha = sha(table)
        for name in readers:
            assert {r["path"]: r["sha256"] for r in manifests(build)[name]["reads"]}[str(table)] == new_sha

        html = (build / "html" / "chapters" / f"{CH02}.html").read_text(encoding="utf-8")
        prose = text_of(html)
        assert "Denmark scores 97 out of 100 and Kazakhstan 41 ." in prose  # glued numbers in a sentence
        assert "the highest score is Kazakhstan ’s ( 41 )" in prose
        (kz_row,) = [r for r in table_rows(html, "Kazakhstan") if r[0] == "Kazakhstan"]
        assert kz_row[-1] == "41", kz_row  # Table 1, aggregate score
        report = (build / "html" / "chapters" / "a2_reproduction_report.html").read_text(encoding="utf-8")
        (kz_check,) = [r for r in table_rows(report, "Kazakhstan") if r[0] == "Kazakhstan"]
        assert kz_check[-1] == "book 41, paper 22", kz_check  # the report's Table 1 grid flags the cell

        # Sphinx kept the figures of the old data in its own folder; the published book shows,
        # and holds, only the new ones.
        kept_by_sphinx = {p.name for p in (build / "staging" / "out" / "_build" / "html" / "_images").iterdir()}
        published = {p.name for p in (build / "html" / "_images").iterdir()}
        shown = images_shown(build / "html")
        assert kept_by_sphinx > published, "the edit changed figures: Sphinx's folder still has their old images"
        assert published == shown, f"stale: {sorted(published - shown)}; missing: {sorted(shown - published)}"

    # edited() put the table back and built again: the readers executed once more, and the
    # incremental book that came of the two edits is, page for page, the copy's cold build.
    assert restored.proc.returncode == 0 and "Book built" in restored.proc.stdout, fail(restored.proc)
    again = {n for n, s in statuses(restored.proc).items() if s == "executed"}
    assert again == readers, f"putting the table back executed {sorted(again)}, readers {sorted(readers)}"
    now, cold = pages(build / "html"), copied_book["pages"]
    assert sorted(now) == sorted(cold), "the pages differ from the cold build's"
    # (the status page says how long each chapter took to execute: the readers' times are new)
    differ = sorted(page for page in now if now[page] != cold[page] and page != "chapters/a4_status.html")
    assert not differ, f"after the edit and its undoing, these pages differ from a fresh build's: {differ}"


@pytest.mark.slow
def test_c_a_failing_chapter_is_reported_and_the_last_good_book_stays(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    src = copy / "chapters" / f"{CH02}.ipynb"
    original = src.read_bytes()
    nb = nbformat.reads(original.decode("utf-8"), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])) + 2
    nb.cells.insert(at, nbformat.v4.new_code_cell('raise RuntimeError("h7: the table is on fire")'))
    src.write_text(nbformat.writes(nb), encoding="utf-8")
    html_before = tree_hashes(build / "html")
    good_before = sha(build / "executed" / f"{CH02}.ipynb")
    try:
        proc = halfopen(copy, "build", "01", "02", "03", "--force", "--build-dir", str(build), "--no-progress")
    finally:
        src.write_bytes(original)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, fail(proc)
    assert statuses(proc) == {"01_background": "executed", CH02: "failed", "03_case_selection": "executed"}
    failed = nbformat.read(build / "executed" / f"{CH02}.failed.ipynb", as_version=4)
    (bad,) = [c for c in failed.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
    assert f"FAILED {CH02}: cell {bad.execution_count} (RuntimeError): h7: the table is on fire" in out
    assert 'raise RuntimeError("h7: the table is on fire")' in out  # the traceback's last lines
    assert "Build stopped" in out and "last good book is unchanged" in out
    assert tree_hashes(build / "html") == html_before
    assert sha(build / "executed" / f"{CH02}.ipynb") == good_before


def _table_1_markdown(executed: Path) -> str:
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/markdown", "")
            if "tbl-table-1" in text:
                return text
    raise AssertionError(f"no Table 1 output in {executed}")


def _md_rows(table: str) -> dict[str, list[str]]:
    """Body rows of a Markdown pipe table: first cell -> the other cells, in order."""
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] not in ("Country", ":--"):
            rows[cells[0]] = cells[1:]
    return rows


def _injected(executed: Path) -> str:
    nb = nbformat.read(executed, as_version=4)
    cells = [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cells[0] if cells else ""


@pytest.mark.slow
def test_d_parameters_reach_the_chapters_that_declare_them(copied_book, tmp_path):
    from halfopen import data

    copy = copied_book["copy"]
    build = tmp_path / "build"
    chapters_before = tree_hashes(copy / "chapters")
    fh = data.load("freedom_house", copy / "data")
    kz_2025 = int(fh[(fh.country == "Kazakhstan") & (fh.edition == 2025)].total_score.iloc[0])
    kz_2019 = int(fh[(fh.country == "Kazakhstan") & (fh.edition == 2019)].total_score.iloc[0])
    assert kz_2025 != kz_2019

    proc = halfopen(copy, "run", "02", "-p", "edition", "2025", "--build-dir", str(build), "--no-progress")
    assert proc.returncode == 0, fail(proc)
    executed = build / "executed" / f"{CH02}.ipynb"
    t1 = _table_1_markdown(executed)
    assert "Central Asia (2025)" in t1
    assert _md_rows(t1)["Kazakhstan"][-1] == str(kz_2025), t1  # its aggregate score in that edition
    assert "edition = 2025" in _injected(executed)
    assert manifests(build)[CH02]["inputs"]["parameters"] == {"edition": 2025}

    # back to the default: the parameters changed, so the chapter runs again; then it is cached
    proc = halfopen(copy, "run", "02", "--build-dir", str(build), "--no-progress")
    assert statuses(proc) == {CH02: "executed"}, fail(proc)
    assert "Central Asia (2019)" in _table_1_markdown(executed)
    proc = halfopen(copy, "run", "02", "--build-dir", str(build), "--no-progress")
    assert statuses(proc) == {CH02: "cached"}, fail(proc)

    params = tmp_path / "params.yaml"
    params.write_text("edition: 2018\ncountries: [Kazakhstan, Denmark]\n", encoding="utf-8")
    proc = halfopen(copy, "run", "01", "02", "-f", str(params), "--build-dir", str(build), "--no-progress")
    assert proc.returncode == 0, fail(proc)
    assert manifests(build)[CH02]["inputs"]["parameters"] == {"edition": 2018, "countries": ["Kazakhstan", "Denmark"]}
    assert manifests(build)["01_background"]["inputs"]["parameters"] == {}
    assert _injected(build / "executed" / "01_background.ipynb") == ""
    t1 = _table_1_markdown(executed)
    assert "Central Asia (2018)" in t1
    assert list(_md_rows(t1)) == ["Kazakhstan", "Denmark\\*"], t1  # only these two, in this order (Denmark starred)

    assert tree_hashes(copy / "chapters") == chapters_before


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, name",
    [
        (["02", "-p", "no_such_parameter", "1"], "no_such_parameter"),
        (["01", "-p", "edition", "2025"], "edition"),  # 02 declares it, but 02 is not in this run
    ],
)
def test_d_an_undeclared_parameter_exits_2_with_a_clear_message(copied_book, tmp_path, args, name):
    build = tmp_path / "build"
    proc = halfopen(copied_book["copy"], "run", *args, "--build-dir", str(build), "--no-progress")
    assert proc.returncode == 2, fail(proc)
    assert proc.stderr.startswith(f"error: no chapter of this run declares the parameter(s) {name};"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (build / "executed").exists() or not list((build / "executed").glob("*.ipynb")), "it executed"


@pytest.mark.slow
def test_f_editing_book_tooling_executes_no_chapter_but_study_code_reexecutes_its_importers(copied_book):
    copy, build = copied_book["copy"], copied_book["build"]
    settle = halfopen(copy, "run", "--build-dir", str(build), "--no-progress")  # whatever earlier tests left
    assert settle.returncode == 0, fail(settle)
    tool = copy / "halfopen_book" / "pdf.py"
    original_tool = tool.read_bytes()
    tool.write_bytes(original_tool + b"\n# an edit to the book machinery\n")
    try:
        proc = halfopen(copy, "run", "--build-dir", str(build), "--no-progress")
    finally:
        tool.write_bytes(original_tool)
    assert proc.returncode == 0, fail(proc)
    assert counts(proc)[0] == 0, "editing the PDF printer re-executed chapters:\n" + proc.stdout

    # method.py is imported by the update's chapters 13 to 15 alone (diagram.py, say, is also used by the
    # validation every chapter's loader runs, so an edit to it re-executes them all)
    study = copy / "halfopen" / "method.py"
    original_study = study.read_bytes()
    study.write_bytes(original_study + b"\n# an edit to the update's code\n")
    try:
        proc = halfopen(copy, "run", "--build-dir", str(build), "--no-progress")
    finally:
        study.write_bytes(original_study)
    assert proc.returncode == 0, fail(proc)
    executed = {n for n, s in statuses(proc).items() if s == "executed"}
    update = {n: "executed" for n in ("13_half_open_measured", "14_half_open_compared", "15_half_open_specifications")}
    assert executed == set(update), f"an edit to method.py re-executed {sorted(executed)}"
    proc = halfopen(copy, "run", "13", "14", "15", "--build-dir", str(build), "--no-progress")  # back to the original
    assert statuses(proc) == update, fail(proc)


@pytest.mark.slow
def test_d_a_parameter_aimed_at_one_chapter_reaches_only_it(copied_book, tmp_path):
    build = tmp_path / "build"
    proc = halfopen(
        copied_book["copy"],
        "run",
        "02",
        "13",
        "-p",
        "13:countries",
        "[Kazakhstan, Denmark]",
        "--build-dir",
        str(build),
        "--no-progress",
    )
    assert proc.returncode == 0, fail(proc)
    m = manifests(build)
    assert m["13_half_open_measured"]["inputs"]["parameters"] == {"countries": ["Kazakhstan", "Denmark"]}
    assert m[CH02]["inputs"]["parameters"] == {}
    injected = _injected(build / "executed" / "13_half_open_measured.ipynb")
    assert re.search(r"^countries = \[[\"']Kazakhstan[\"'], [\"']Denmark[\"']\]$", injected, re.M), injected


def test_a_kernel_start_is_retried_on_the_failure_whatever_its_words():
    """jupyter_client's RuntimeError before the kernel answered is retried, not its message text."""
    assert run.kernel_did_not_start(RuntimeError("the kernel exited with status 1"), ready=False)
    assert not run.kernel_did_not_start(RuntimeError("Kernel died before replying to kernel_info"), ready=True)
    assert not run.kernel_did_not_start(KeyError("no such kernel named python3"), ready=False)
    assert run.START_ATTEMPTS >= 2


def _dying_kernel(tmp_path: Path, deaths: int) -> Path:
    """A kernel spec named python3, found first through $JUPYTER_PATH, whose first ``deaths``
    starts exit before answering (as a kernel that lost a race for its ports does); later starts
    are ipykernel. Returns the file each start adds a line to."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    starts = tmp_path / "starts.log"
    launcher = spec / "launch.py"
    launcher.write_text(
        "import os, sys\n"
        "from pathlib import Path\n"
        f"log = Path({str(starts)!r})\n"
        "with log.open('a') as f:\n"
        "    f.write('start\\n')\n"
        f"if len(log.read_text().splitlines()) <= {deaths}:\n"
        "    sys.exit(1)\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', sys.argv[1]])\n",
        encoding="utf-8",
    )
    kernel = {"argv": [sys.executable, str(launcher), "{connection_file}"], "display_name": "P", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return starts


def _one_chapter_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    make_notebook(book / "chapters" / "01_small.ipynb", "data_dir = None", "print('ran')")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/01_small\n")
    shutil.copy(ROOT / "requirements.txt", book / "requirements.txt")
    return book


@pytest.mark.parametrize("deaths", [1, run.START_ATTEMPTS])
def test_a_kernel_that_dies_before_answering_is_started_again_up_to_the_limit(tmp_path, monkeypatch, deaths):
    starts = _dying_kernel(tmp_path, deaths)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # Jupyter's documented search path
    [result] = run.run(build_dir=tmp_path / "build", root=_one_chapter_book(tmp_path), jobs=1, progress=False)
    if deaths < run.START_ATTEMPTS:
        assert result.status == "executed", result.error
        assert len(starts.read_text().splitlines()) == deaths + 1
    else:
        assert result.status == "failed" and "RuntimeError" in result.error, result.error
        assert len(starts.read_text().splitlines()) == run.START_ATTEMPTS


def test_a_chapter_that_fails_in_a_cell_is_not_started_again(tmp_path, monkeypatch):
    starts = _dying_kernel(tmp_path, 0)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    book = _one_chapter_book(tmp_path)
    make_notebook(book / "chapters" / "01_small.ipynb", "data_dir = None", "raise RuntimeError('Kernel died')")
    [result] = run.run(build_dir=tmp_path / "build", root=book, jobs=1, progress=False)
    assert result.status == "failed" and "Kernel died" in result.error
    assert len(starts.read_text().splitlines()) == 1


def test_expected_seconds_prefers_the_last_run_then_the_source_size(tmp_path):
    small = run.Chapter("01_small", make_notebook(tmp_path / "01_small.ipynb", "data_dir = None"))
    big = make_notebook(tmp_path / "02_big.ipynb", "data_dir = None", body="x = 1\n" + "# padding\n" * 500)
    big = run.Chapter("02_big", big)
    out = tmp_path / "executed"
    out.mkdir()
    assert run.expected_seconds(big, out) > run.expected_seconds(small, out)
    (out / "01_small.json").write_text(json.dumps({"seconds": 9.5}), encoding="utf-8")
    assert run.expected_seconds(small, out) == 9.5


@pytest.mark.slow
def test_d_new_countries_in_own_tables_reach_the_chapters_they_are_aimed_at(copied_book, tmp_path):
    """A reader's own tables with two more countries (issue 11's Mongolia–Russia case).

    The rows are a TEST FIXTURE: copies of Kazakhstan's Open Budget rows under other codes,
    in a temporary folder, only to show that the chapters take countries they have never
    seen. No value here is data about Mongolia or Russia.
    """
    mine = tmp_path / "my_data"
    shutil.copytree(copied_book["copy"] / "data", mine)
    with (mine / "countries.csv").open("a", encoding="utf-8") as f:
        f.write("MNG,Mongolia,Comparator\nRUS,Russia,Comparator\n")
    obs = (mine / "obs_central_asia.csv").read_text(encoding="utf-8").splitlines()
    kaz = [line for line in obs if line.startswith("KAZ,")]
    extra = [line.replace("KAZ,", code + ",", 1) for code in ("MNG", "RUS") for line in kaz]
    (mine / "obs_central_asia.csv").write_text("\n".join(obs + extra) + "\n", encoding="utf-8")
    countries = "[Kazakhstan, Mongolia, Russia]"
    build = tmp_path / "build"
    proc = halfopen(
        copied_book["copy"],
        "run",
        "06",
        "13",
        "-p",
        "data_dir",
        str(mine),
        "-p",
        "6:countries",
        countries,
        "-p",
        "13:countries",
        countries,
        "--build-dir",
        str(build),
        "--no-progress",
    )
    assert proc.returncode == 0, fail(proc)
    m = manifests(build)
    assert m["13_half_open_measured"]["inputs"]["parameters"]["countries"] == ["Kazakhstan", "Mongolia", "Russia"]
    assert m["06_more_inclusive_decision_making"]["inputs"]["parameters"]["countries"][1:] == ["Mongolia", "Russia"]
    text = json.dumps(nbformat.read(build / "executed" / "13_half_open_measured.ipynb", as_version=4).cells)
    assert "Mongolia" in text and "Russia" in text


SCRIPT = "<script>alert(1)</script>"
CH04 = "04_data_collection_and_analysis"


# --------------------------------------------------------------------------- trust (issue 5) on the copy
# (2) a failed build keeps the good book; (4) text from data is escaped


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
        every_page = {p.name: p.read_text(encoding="utf-8") for p in sorted((build / "html").rglob("*.html"))}
    assert proc.returncode == 0 and "Book built" in proc.stdout, fail(proc)
    assert statuses(proc)[CH04] == "executed"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "the cell's text is not in the page, escaped"
    cells = [html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert any(SCRIPT in text_of(c) or SCRIPT in c.replace("\n", "") for c in cells), "not shown in a table cell"
    for name, text in every_page.items():
        parser = _Scripts()
        parser.feed(text)
        assert not [s for s in parser.scripts if "alert(1)" in s], f"{name} runs the script from the data"
