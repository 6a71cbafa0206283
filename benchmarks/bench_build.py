#!/usr/bin/env python3
"""Benchmark the book's build: our cached, parallel papermill runner against Jupyter Book.

Run it from the repository with the README's environment:

    .venv/bin/python benchmarks/bench_build.py            # 3 runs of each, the book at HEAD
    .venv/bin/python benchmarks/bench_build.py --runs 5 --ref main~2
    .venv/bin/python benchmarks/bench_build.py --source /some/copy/of/the/book
    .venv/bin/python benchmarks/bench_build.py --noop-only --runs 5   # the no-op rebuild alone

It prints, side by side and measured in one run on the same machine, the median of N runs of:

- cold build with our runner (``python -m halfopen build``: fresh copy, fresh build folder);
- the same book built by Jupyter Book's own sequential execution (``jupyter-book build``
  with the book's ``_config.yml``, which says ``execute_notebooks: force``);
- a no-op rebuild with our runner (nothing changed since the cold build);
- a rebuild after editing one value of one table (Kazakhstan's 2019 Freedom House civil
  liberties score and total, kept consistent, in the copy's ``data/freedom_house.csv``);
- a rebuild after editing the book machinery (a comment appended to
  ``halfopen_book/pdf.py``): it must execute no chapter;
- the floor: every code cell of every chapter, run in ONE plain Python process (libraries
  imported once, a fresh namespace per chapter, no kernel, no papermill, no Sphinx).

With ``--noop-only`` it builds one copy cold, once, and then times ``--runs`` no-op rebuilds
of it (target: a median under :data:`NOOP_SECONDS`), without the other measurements.

Everything happens in temporary copies (``git archive`` of the ref, or a copy of
``--source``); nothing is written to the repository's data/, chapters/ or _build/.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGETS = {"cold_ratio": 0.6, "noop": 0.10, "edit": 0.60}
#: The no-op rebuild's target in seconds (issue 21): under one second, median of five runs.
NOOP_SECONDS = 1.0
SUMMARY = re.compile(r"^(\d+) executed, (\d+) cached, (\d+) failed$", re.M)


# --------------------------------------------------------------------------- copies


def snapshot(dest: Path, ref: str | None, source: Path | None) -> str:
    """A pristine copy of the book in ``dest``; returns a description of what was copied."""
    if source:
        shutil.copytree(
            source,
            dest,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "_build", "__pycache__", "node_modules", ".*_cache", ".hypothesis", "*.egg-info"
            ),
        )
        return f"folder {source}"
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    commit = subprocess.run(["git", "rev-parse", ref], cwd=REPO, capture_output=True, text=True, check=True)
    return f"commit {commit.stdout.strip()[:12]} ({ref})"


def fresh_copy(pristine: Path, work: Path, name: str) -> Path:
    dest = work / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(pristine, dest)
    return dest


def env_for(copy: Path) -> dict[str, str]:
    """The environment that makes the copy's own package the one imported (also by kernels)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HALFOPEN_DATA_DIR", "HALFOPEN_READ_LOG")}
    env["PYTHONPATH"] = str(copy)
    return env


def timed(cmd: list[str], copy: Path, log: Path) -> tuple[float, int, str]:
    """Wall seconds, exit code and stdout of ``cmd`` run inside ``copy``."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=copy, env=env_for(copy), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log.write_text(f"$ {' '.join(cmd)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", encoding="utf-8")
    return seconds, proc.returncode, proc.stdout


def ours(copy: Path, build: Path, log: Path) -> tuple[float, int, str]:
    return timed([PY, "-m", "halfopen", "build", "--build-dir", str(build), "--no-progress"], copy, log)


def jupyter_book(copy: Path, out: Path, log: Path) -> tuple[float, int, str]:
    jb = str(Path(PY).parent / "jupyter-book")
    cmd = [jb, "build", str(copy), "--path-output", str(out), "--builder", "html", "-W", "-n", "--keep-going"]
    return timed(cmd, copy, log)


def edit_one_value(copy: Path, run: int) -> None:
    """Kazakhstan 2019: civil liberties score and total both + (run + 1), so the sum rule holds."""
    table = copy / "data" / "freedom_house.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for i, line in enumerate(lines):
        row = dict(zip(header, line.split(",")))
        if row.get("country") == "Kazakhstan" and row.get("edition") == "2019":
            row["cl_score"] = str(int(row["cl_score"]) + run + 1)
            row["total_score"] = str(int(row["total_score"]) + run + 1)
            lines[i] = ",".join(row[h] for h in header)
            break
    else:
        raise SystemExit("benchmark: no Kazakhstan 2019 row in data/freedom_house.csv to edit")
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")


def floor(copy: Path, log: Path) -> tuple[float, int, str]:
    """Run ``--floor`` in a fresh process of its own: its wall time includes start-up and imports."""
    return timed([PY, str(Path(__file__).resolve()), "--floor", str(copy)], copy, log)


def run_floor(copy: Path) -> int:
    """(In the child process.) Execute every code cell of every chapter, in book order, once."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(copy))
    # Glued figures are rendered to PNG as in a kernel: the inline backend's formatter.
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    InteractiveShell.instance()
    set_matplotlib_formats("png")
    from halfopen_book import run as runner

    failures = []
    per_chapter = {}
    for chapter in runner.chapters(copy):
        nb = json.loads(chapter.path.read_text(encoding="utf-8"))
        ns: dict = {"__name__": "__main__"}
        os.chdir(chapter.path.parent)
        start = time.perf_counter()
        sink = io.StringIO()
        try:
            with redirect_stdout(sink), redirect_stderr(sink):
                for cell in nb["cells"]:
                    if cell["cell_type"] == "code":
                        _exec_cell("".join(cell["source"]), ns)
        except Exception as exc:  # report, keep going: the floor of the others still counts
            failures.append(f"{chapter.name}: {type(exc).__name__}: {exc}")
        per_chapter[chapter.name] = round(time.perf_counter() - start, 3)
        import matplotlib.pyplot as plt

        plt.close("all")
    print(json.dumps({"per_chapter": per_chapter, "failures": failures}))
    return 1 if failures else 0


def _exec_cell(source: str, ns: dict) -> None:
    """Like a kernel: run the cell, and render its last expression's rich representation."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), ns)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)
        for method in ("_repr_markdown_", "_repr_html_", "_repr_png_"):
            if hasattr(value, method):
                getattr(value, method)()
                break
        else:
            repr(value)


# --------------------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (median shown); default 3")
    ap.add_argument("--ref", default="HEAD", help="git ref of the book to measure (default HEAD)")
    ap.add_argument("--source", type=Path, help="measure this folder instead of a git ref")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, builds)")
    ap.add_argument("--json", type=Path, help="also write the raw figures to this file")
    ap.add_argument(
        "--noop-only", action="store_true", help="build one copy cold, then time only --runs no-op rebuilds"
    )
    ap.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: the floor's child process
    args = ap.parse_args(argv)
    if args.floor:
        return run_floor(args.floor)

    work = Path(tempfile.mkdtemp(prefix="halfopen-bench-"))
    pristine = work / "pristine"
    what = snapshot(pristine, args.ref, args.source)
    info = machine()
    info["book"] = what
    info["load_before"] = load()
    print(f"Benchmarking {what} in {work}: {args.runs} run(s) of each measurement", flush=True)
    if args.noop_only:
        return noop_only(pristine, work, info, args)

    times: dict[str, list[float]] = {
        k: [] for k in ("ours_cold", "jb_force", "ours_noop", "ours_edit", "ours_tool", "floor")
    }
    notes: list[str] = []
    executed_on_edit: list[str] = []
    for i in range(args.runs):
        logs = work / f"logs-{i}"
        logs.mkdir()
        # Interleave the two cold builds so that a change of machine load hits both alike.
        copy = fresh_copy(pristine, work, "ours")
        build = work / "ours-build"
        shutil.rmtree(build, ignore_errors=True)
        s, code, out = ours(copy, build, logs / "ours_cold.log")
        _check("ours cold", code, out, logs / "ours_cold.log", notes)
        times["ours_cold"].append(s)

        s, code, out = ours(copy, build, logs / "ours_noop.log")
        _check("ours no-op", code, out, logs / "ours_noop.log", notes)
        m = SUMMARY.search(out)
        if m and int(m[1]) != 0:
            notes.append(f"run {i}: the no-op rebuild executed {m[1]} chapter(s)")
        times["ours_noop"].append(s)

        edit_one_value(copy, i)
        s, code, out = ours(copy, build, logs / "ours_edit.log")
        _check("ours data edit", code, out, logs / "ours_edit.log", notes)
        m = SUMMARY.search(out)
        executed_on_edit.append(f"{m[1]} of {int(m[1]) + int(m[2]) + int(m[3])}" if m else "?")
        times["ours_edit"].append(s)

        tool = copy / "halfopen_book" / "pdf.py"
        tool.write_text(tool.read_text(encoding="utf-8") + f"\n# benchmark edit {i}\n", encoding="utf-8")
        s, code, out = ours(copy, build, logs / "ours_tool.log")
        _check("ours tooling edit", code, out, logs / "ours_tool.log", notes)
        m = SUMMARY.search(out)
        if not m or int(m[1]) != 0:
            notes.append(f"run {i}: editing the book machinery executed {m[1] if m else '?'} chapter(s)")
        times["ours_tool"].append(s)

        jb = fresh_copy(pristine, work, "jb")
        out_dir = work / "jb-out"
        shutil.rmtree(out_dir, ignore_errors=True)
        s, code, out = jupyter_book(jb, out_dir, logs / "jb_force.log")
        _check("jupyter-book force", code, out, logs / "jb_force.log", notes)
        times["jb_force"].append(s)

        s, code, out = floor(fresh_copy(pristine, work, "floor"), logs / "floor.log")
        _check("floor", code, "", logs / "floor.log", notes)
        times["floor"].append(s)
        print(f"  run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items()), flush=True)

    info["load_after"] = load()
    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    print(report(info, med, times, executed_on_edit, args.runs))
    for n in notes:
        print(f"NOTE: {n}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "runs": times, "median": med}, indent=1) + "\n")
    if args.keep:
        print(f"\nKept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if notes else 0


def noop_only(pristine: Path, work: Path, info: dict, args: argparse.Namespace) -> int:
    """One cold build of a copy, then ``args.runs`` timed no-op rebuilds of it."""
    notes: list[str] = []
    copy, build = fresh_copy(pristine, work, "ours"), work / "ours-build"
    logs = work / "logs"
    logs.mkdir()
    s, code, out = ours(copy, build, logs / "ours_cold.log")
    _check("ours cold", code, out, logs / "ours_cold.log", notes)
    print(f"  cold build: {s:.1f}s", flush=True)
    times = []
    for i in range(args.runs):
        log = logs / f"ours_noop-{i}.log"
        s, code, out = ours(copy, build, log)
        _check("ours no-op", code, out, log, notes)
        if "Book unchanged" not in out:
            notes.append(f"run {i}: the no-op rebuild was not a no-op (log: {log})")
        times.append(s)
        print(f"  no-op {i + 1}: {s:.2f}s", flush=True)
    info["load_after"] = load()
    print()
    print(noop_report(info, times))
    for n in notes:
        print(f"NOTE: {n}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "runs": {"ours_noop": times}}, indent=1) + "\n")
    if args.keep:
        print(f"\nKept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if notes else 0


def noop_report(info: dict, times: list[float]) -> str:
    """The no-op rebuild's median, its runs and its verdict against :data:`NOOP_SECONDS`."""
    med = statistics.median(times)
    verdict = "meets" if med < NOOP_SECONDS else "MISSES"
    return "\n".join(
        [
            f"Book:     {info['book']}",
            f"Machine:  {info['cores']} cores, {info['cpu']}, Python {info['python']}, {info['system']}",
            f"Date:     {info['date']}; load average before {info['load_before']}, after {info['load_after']}",
            f"No-op rebuild, our runner: median {med:.2f} s of {len(times)} runs "
            f"({' '.join(f'{t:.2f}' for t in times)}); target < {NOOP_SECONDS:.0f} s: {verdict}",
        ]
    )


def _check(what: str, code: int, out: str, log: Path, notes: list[str]) -> None:
    if code != 0:
        notes.append(f"{what} exited {code}: its timing is not a valid build (log: {log})")


def report(info: dict, med: dict, times: dict, executed_on_edit: list[str], runs: int) -> str:
    cold = med["ours_cold"]

    def verdict(value: float, target: float) -> str:
        return "meets" if value <= target else "MISSES"

    rows = [
        ("Cold build, our runner", med["ours_cold"], "1.00 (reference)", "", ""),
        (
            "Cold build, Jupyter Book (force)",
            med["jb_force"],
            f"ours/JB = {cold / med['jb_force']:.2f}",
            f"ours/JB <= {TARGETS['cold_ratio']}",
            verdict(cold / med["jb_force"], TARGETS["cold_ratio"]),
        ),
        (
            "No-op rebuild, our runner",
            med["ours_noop"],
            f"{med['ours_noop'] / cold:.2f} of cold",
            f"<= {TARGETS['noop']:.2f}",
            verdict(med["ours_noop"] / cold, TARGETS["noop"]),
        ),
        (
            "One-table edit, our runner",
            med["ours_edit"],
            f"{med['ours_edit'] / cold:.2f} of cold",
            f"<= {TARGETS['edit']:.2f}",
            verdict(med["ours_edit"] / cold, TARGETS["edit"]),
        ),
        ("Tooling edit, our runner", med["ours_tool"], f"{med['ours_tool'] / cold:.2f} of cold", "0 executed", ""),
        ("Floor: all cells, one process", med["floor"], f"{med['floor'] / cold:.2f} of cold", "(limit)", ""),
    ]
    lines = [
        f"Book:     {info['book']}",
        f"Machine:  {info['cores']} cores, {info['cpu']}, Python {info['python']}, {info['system']}",
        f"Date:     {info['date']}; load average before {info['load_before']}, after {info['load_after']}",
        f"Runs:     {runs} of each, median shown; chapters re-executed by the edit: {', '.join(executed_on_edit)}",
        "",
        f"{'measurement':<34} {'median s':>9}  {'all runs (s)':<22} {'ratio':<18} {'target':<14} verdict",
        "-" * 112,
    ]
    keys = ["ours_cold", "jb_force", "ours_noop", "ours_edit", "ours_tool", "floor"]
    for key, (name, value, ratio, target, v) in zip(keys, rows):
        each = " ".join(f"{t:.1f}" for t in times[key])
        lines.append(f"{name:<34} {value:>9.1f}  {each:<22} {ratio:<18} {target:<14} {v}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
