"""Execute the book's chapters with papermill: in parallel, with parameters, cached by content.

Jupyter Book's own cache keys a notebook on its code cells only, so a data edit leaves stale
figures; it runs notebooks one at a time and can't pass parameters. This runner:

- validates the tables of every data folder the run uses, once, before any kernel starts
  (:func:`halfopen.data.validate`, which caches its result by the tables' hashes);
- executes the chapters of ``_toc.yml`` (all, or those named) with papermill, across the
  machine's cores, into the build folder; the sources are never written;
- gives each chapter the parameters aimed at it (:mod:`halfopen_book.parameters`);
- re-executes a chapter exactly when something it depends on changed: its notebook, its
  parameters, the study code it imports (:func:`halfopen_book.chapters.study_code_hash`), the
  pinned environment (``requirements.txt``), or any file the loader opened during its last
  run (recorded by :func:`halfopen.data.record_read`);
- keeps going when a chapter fails, names its cell and error, and reports failure at the end.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from halfopen import data, paths

from . import parameters as parameters_mod
from .chapters import Chapter, book_root, chapters, select, study_code_hash, study_graph

MANIFEST_VERSION = 2


@dataclass
class Result:
    """What happened to one chapter in one run."""

    chapter: str
    status: str  # "executed", "cached" or "failed"
    seconds: float
    output: str
    error: str | None = None


# --------------------------------------------------------------------------- cache keys


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def environment_hash(root: Path | None = None) -> str:
    """Hash of the pinned environment: ``requirements.txt`` and the Python version."""
    req = book_root(root) / "requirements.txt"
    body = req.read_bytes() if req.exists() else b""
    return _sha(body + sys.version.encode())


def notebook_hash(path: Path) -> str:
    """Hash of a notebook's cells (sources and metadata), ignoring outputs and counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        {"type": c["cell_type"], "source": "".join(c["source"]), "meta": c.get("metadata", {})} for c in nb["cells"]
    ]
    return _sha(json.dumps(cells, sort_keys=True).encode())


def _file_hash(path: str) -> str | None:
    p = Path(path)
    return _sha(p.read_bytes()) if p.exists() else None


@dataclass
class Inputs:
    """What a chapter's execution depends on, besides the data files it reads."""

    notebook: str
    parameters: dict[str, Any]
    code: str
    environment: str

    def same_as(self, other: dict[str, Any]) -> list[str]:
        """The names of inputs that differ from a manifest's (empty: unchanged)."""
        changed = []
        for k, v in asdict(self).items():
            if other.get(k) != v:
                changed.append(k)
        return changed


def stale_reasons(manifest: dict[str, Any] | None, inputs: Inputs, executed: Path) -> list[str]:
    """Why a chapter must be re-executed (empty list: the cached copy is current)."""
    if manifest is None or manifest.get("version") != MANIFEST_VERSION or not executed.exists():
        return ["never executed"]
    if manifest.get("status") != "ok":
        return ["last run failed"]
    reasons = inputs.same_as(manifest.get("inputs", {}))
    for read in manifest.get("reads", []):
        if _file_hash(read["path"]) != read["sha256"]:
            reasons.append(f"changed: {short(read['path'])}")
    return reasons


def short(path: str) -> str:
    try:
        return str(Path(path).relative_to(paths.ROOT))
    except ValueError:
        return path


# --------------------------------------------------------------------------- execution


def cache_dir(build_dir: Path | None = None) -> Path:
    return (Path(build_dir) if build_dir else paths.BUILD_DIR) / "executed"


def _execute(chapter: Chapter, params: dict[str, Any], out_dir: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Worker: execute one chapter with papermill; return its manifest (ok or failed).

    The kernel is stopped at once after the last cell, not asked to shut down and waited
    for (0.2 s a chapter, measured): every output has arrived by then, and the loader writes
    and closes its read log line by line (:func:`halfopen.data.record_read`), so a kernel
    has nothing left to save when it goes.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = Path(out_dir)
    fd, log = tempfile.mkstemp(prefix=f"reads-{chapter.name}-", suffix=".jsonl")
    os.close(fd)
    os.environ["HALFOPEN_READ_LOG"] = log
    os.environ[data.VALIDATED_DIR_ENV] = verdicts_dir(out)  # the kernel finds the runner's verdicts
    tmp = out / f".{chapter.name}.running.ipynb"
    start = time.perf_counter()
    error = None
    # The kernel inherits this process's stdout/stderr: send its chatter (start-up
    # warnings, shutdown notices) to a log beside the executed notebook, not the terminal.
    kernel_log = out / f"{chapter.name}.kernel.log"
    saved = os.dup(1), os.dup(2)
    with open(kernel_log, "w", encoding="utf-8") as log_fh:
        os.dup2(log_fh.fileno(), 1)
        os.dup2(log_fh.fileno(), 2)
        try:
            for attempt in range(1, START_ATTEMPTS + 1):
                started = KernelStarted()
                try:
                    pm.execute_notebook(
                        str(chapter.path),
                        str(tmp),
                        parameters=params,
                        cwd=str(chapter.path.parent),
                        kernel_name="python3",
                        progress_bar=False,
                        log_output=False,
                        request_save_on_cell_execute=False,
                        shutdown_kernel="immediate",
                        on_notebook_start=started,  # nbclient's hook: the kernel answered
                    )
                    break
                except Exception as exc:
                    if attempt < START_ATTEMPTS and kernel_did_not_start(exc, started.ready):
                        print(f"[halfopen] the kernel did not start ({exc!r}); starting another", flush=True)
                        continue
                    raise
        except PapermillExecutionError as exc:
            if exc.ename == "DataError":
                # Bad input: the loader's message already names file, row, column, value and
                # rule; a traceback through our own code would only bury it.
                error = f"cell {exc.exec_count} ({exc.ename}): {exc.evalue}"
            else:
                tb = "\n".join(exc.traceback[-6:]) if exc.traceback else ""
                error = f"cell {exc.exec_count} ({exc.ename}): {exc.evalue}\n{_strip_ansi(tb)}"
        except Exception as exc:  # kernel died, bad notebook, ...
            error = f"{type(exc).__name__}: {exc}"
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    seconds = time.perf_counter() - start
    reads = []
    seen = set()
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["path"] not in seen:
            seen.add(rec["path"])
            reads.append(rec)
    os.unlink(log)
    manifest = {
        "version": MANIFEST_VERSION,
        "chapter": chapter.name,
        "status": "ok" if error is None else "failed",
        "seconds": round(seconds, 2),
        "inputs": inputs,
        "reads": sorted(reads, key=lambda r: r["path"]),
        "error": error,
    }
    if error is None:
        _normalise(tmp)
        tmp.replace(out / f"{chapter.name}.ipynb")
    else:
        tmp.replace(out / f"{chapter.name}.failed.ipynb") if tmp.exists() else None
    return manifest


#: Attempts to start a chapter's kernel. Kernels started at the same moment by parallel
#: workers can, rarely, race for the same TCP ports, and the loser dies before it answers. No
#: cell has run then, so starting another kernel is safe; a failure inside a cell is never
#: retried.
START_ATTEMPTS = 3


class KernelStarted:
    """nbclient's ``on_notebook_start`` hook: records that the kernel answered.

    nbclient calls it once the kernel client is ready (jupyter_client's ``wait_for_ready``
    returned) and before the first cell is sent; papermill passes it on to nbclient.
    """

    def __init__(self) -> None:
        self.ready = False

    def __call__(self, **_: Any) -> None:
        self.ready = True


def kernel_did_not_start(exc: BaseException, ready: bool) -> bool:
    """Whether ``exc`` is a kernel that never started, so that starting another is safe.

    The failure is jupyter_client's: ``KernelClient.wait_for_ready`` raises :class:`RuntimeError`
    when the kernel dies or does not answer in time, and nbclient lets it through before it
    calls its ``on_notebook_start`` hook (``ready`` is whether that hook ran). Its message is
    not read. Other exceptions before the start (no such kernel, a bad notebook) would fail
    again, and anything after it is a chapter's own failure.
    """
    return isinstance(exc, RuntimeError) and not ready


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _normalise(path: Path) -> None:
    """Drop run-specific metadata (times, durations) so identical inputs give identical files.

    Cell ids are made deterministic too: the sources are nbformat 4.4 (no ids), and papermill
    upgrades them with random ids (and gives its injected-parameters cell one), so two runs of
    the same notebook differed in every cell's id. An id is now a hash of the cell's position
    and source: unique, and the same on every run.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"].pop("papermill", None)
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
        if "id" in cell:
            source = "".join(cell.get("source", []))
            cell["id"] = hashlib.sha256(f"{i}\0{source}".encode()).hexdigest()[:8]
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def manifest_path(out: Path, name: str) -> Path:
    return out / f"{name}.json"


def read_manifest(out: Path, name: str) -> dict[str, Any] | None:
    p = manifest_path(out, name)
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


#: Name of the run record the build stages beside the book's sources (the status page shows it).
RUN_RECORD_FILE = "_run_record.json"


def write_run_record(manifests: dict[str, dict], path: Path) -> Path:
    """Write the record the status page shows: each chapter's last execution (seconds and
    status) from the cache manifests, in the book's order. Only facts that change when a
    chapter is executed again go in, so a no-op rebuild stages the same file."""
    record = {name: {"seconds": round(float(m["seconds"]), 1), "status": m["status"]} for name, m in manifests.items()}
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def verdicts_dir(out: Path) -> str:
    """Where the validation verdicts of a build folder go: beside its executed chapters
    (unless ``$HALFOPEN_VALIDATED_DIR`` names another place)."""
    return os.environ.get(data.VALIDATED_DIR_ENV) or str(out.parent / "validated")


def validate_tables(per_chapter: dict[str, dict[str, Any]], verdicts: str) -> None:
    """Validate every data folder the chapters of this run read, once, before they start."""
    saved = os.environ.get(data.VALIDATED_DIR_ENV)
    os.environ[data.VALIDATED_DIR_ENV] = verdicts
    try:
        for folder in sorted({params.get("data_dir") for params in per_chapter.values()}, key=str):
            data.validate(folder)
    finally:
        if saved is None:
            os.environ.pop(data.VALIDATED_DIR_ENV, None)
        else:
            os.environ[data.VALIDATED_DIR_ENV] = saved


def expected_seconds(chapter: Chapter, out: Path) -> float:
    """How long a chapter is expected to run, to start the longest first.

    Its last recorded execution time if there is one; otherwise a proxy, the size of its
    source in kilobytes (longer chapters draw more figures). Starting the longest chapters
    first keeps one long chapter from running alone at the end while the other workers idle.
    The order of execution changes nothing else: every chapter has its own kernel.
    """
    m = read_manifest(out, chapter.name)
    if m and m.get("seconds"):
        return float(m["seconds"])
    return chapter.path.stat().st_size / 1000


def default_jobs() -> int:
    """Workers when none are asked for: one more than the machine's cores.

    A chapter's kernel spends part of its start-up waiting (process spawn, ZeroMQ
    handshakes), not computing; one extra worker fills those gaps. Measured on 2 cores
    (docs/performance.md): 3 workers execute the book about 1 s faster than 2, and 4 are no
    faster than 3.
    """
    return (os.cpu_count() or 1) + 1


def run(
    names: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    jobs: int | None = None,
    build_dir: Path | None = None,
    root: Path | None = None,
    force: bool = False,
    progress: bool = True,
) -> list[Result]:
    """Execute the chapters (all, or ``names``) that are stale; return one Result each.

    Raises :class:`halfopen.data.DataError` before any kernel starts when a table of a data
    folder the run uses is invalid, and :class:`~halfopen_book.parameters.ParameterError`
    for a parameter no chapter declares.
    """
    everything = chapters(root)
    selected = select(everything, names)
    per_chapter = parameters_mod.resolve(selected, parameters or {}, everything)
    out = cache_dir(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    validate_tables(per_chapter, verdicts_dir(out))
    env = environment_hash(root)
    graph = study_graph(root)  # the study package's imports, read once for every chapter
    jobs = jobs or default_jobs()

    results: dict[str, Result] = {}
    todo = []
    for c in selected:
        params = dict(per_chapter[c.name])
        inputs = Inputs(notebook_hash(c.path), params, study_code_hash(c.path, root, graph), env)
        executed = out / f"{c.name}.ipynb"
        reasons = ["forced"] if force else stale_reasons(read_manifest(out, c.name), inputs, executed)
        if reasons:
            todo.append((c, params, asdict(inputs)))
        else:
            m = read_manifest(out, c.name)
            results[c.name] = Result(c.name, "cached", m["seconds"], str(executed))

    if todo:
        todo.sort(key=lambda item: expected_seconds(item[0], out), reverse=True)
        bar = _progress(len(todo), progress)
        with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = {pool.submit(_execute, c, p, str(out), i): c for c, p, i in todo}
            for fut in cf.as_completed(futures):
                c = futures[fut]
                try:
                    m = fut.result()
                except Exception as exc:  # the worker itself died
                    m = {"status": "failed", "seconds": 0.0, "error": f"{type(exc).__name__}: {exc}"}
                if m["status"] == "ok":
                    manifest_path(out, c.name).write_text(
                        json.dumps(m, indent=1, sort_keys=True) + "\n", encoding="utf-8"
                    )
                    results[c.name] = Result(c.name, "executed", m["seconds"], str(out / f"{c.name}.ipynb"))
                else:
                    # Keep the last good manifest and notebook; record the failure beside them.
                    (out / f"{c.name}.failed.json").write_text(
                        json.dumps(m, indent=1, sort_keys=True) + "\n", encoding="utf-8"
                    )
                    old = read_manifest(out, c.name)
                    if old is not None:
                        old["status"] = "failed"
                        manifest_path(out, c.name).write_text(
                            json.dumps(old, indent=1, sort_keys=True) + "\n", encoding="utf-8"
                        )
                    results[c.name] = Result(
                        c.name, "failed", m["seconds"], str(out / f"{c.name}.failed.ipynb"), m["error"]
                    )
                bar.update(c.name)
        bar.close()
    return [results[c.name] for c in selected]


class _progress:
    """A tqdm progress bar on a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="chapter", desc="Executing", file=sys.stderr, disable=None)

    def update(self, name: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(name[:32])
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary(results: list[Result]) -> str:
    """A plain-text table of each chapter's status, time and output, then any errors."""
    w = max([len(r.chapter) for r in results] + [7])
    lines = [f"{'chapter':<{w}}  {'status':<8}  {'seconds':>7}  output", "-" * (w + 40)]
    for r in results:
        lines.append(f"{r.chapter:<{w}}  {r.status:<8}  {r.seconds:>7.1f}  {short(r.output)}")
    counts = {s: sum(r.status == s for r in results) for s in ("executed", "cached", "failed")}
    lines.append(f"{counts['executed']} executed, {counts['cached']} cached, {counts['failed']} failed")
    for r in results:
        if r.error:
            lines.append("")
            lines.append(f"FAILED {r.chapter}: {r.error.strip()}")
    return "\n".join(lines)
