"""The status page: how long each chapter took, and the exact environment of the build.

Times come from the runner's record of the last execution of each chapter
(:func:`halfopen_book.run.write_run_record`; a cached chapter keeps the time of the run that
produced it). Versions are read at build time from the
installed distributions and compared with the pins of ``requirements.txt``.

Both are rendered by Sphinx directives of :mod:`halfopen_book.sphinx_ext` while the book is
built (:func:`run_markdown`, :func:`environment_markdown`), not by executing the status
notebook: the page then needs no re-execution when another chapter runs (which took a
second, serial execution phase off every build), and the versions shown are those of the
very process that builds the book.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from halfopen import data, paths, tables


def run_table(run_record: str | os.PathLike | None) -> pd.DataFrame:
    """Chapter, status and seconds of its last execution, from the runner's record."""
    if not run_record or not Path(run_record).exists():
        return pd.DataFrame(columns=["Chapter", "Status", "Seconds"])
    data.record_read(Path(run_record))
    record = json.loads(Path(run_record).read_text(encoding="utf-8"))
    rows = [{"Chapter": name, "Status": r["status"], "Seconds": float(r["seconds"])} for name, r in record.items()]
    return pd.DataFrame(rows)


def pins(requirements: Path | None = None) -> dict[str, str]:
    """``name == version`` pins of requirements.txt, names normalised (PEP 503), read with
    ``packaging``'s requirement parser; options (``-e .``) and comments are skipped."""
    path = requirements or paths.ROOT / "requirements.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        if exact:
            out[canonicalize_name(req.name)] = exact[0]
    return out


def _norm(name: str) -> str:
    return canonicalize_name(name)


def environment(requirements: Path | None = None) -> pd.DataFrame:
    """Every installed distribution, its version, its pin, and whether they agree."""
    pinned = pins(requirements)
    rows = []
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = _norm(name)
        pin = pinned.get(key)
        rows.append(
            {
                "Package": name,
                "Installed": dist.version,
                "Pinned": pin or "",
                "Agrees": None if pin is None else pin == dist.version,
            }
        )
    frame = pd.DataFrame(rows).drop_duplicates("Package").sort_values("Package", key=lambda s: s.str.lower())
    return frame.reset_index(drop=True)


def platform_facts() -> dict[str, str]:
    """Python, operating system and machine of the build."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cores": str(os.cpu_count()),
    }


def build_date() -> str:
    """The day of the build (UTC), or of ``$SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return when.date().isoformat()


def commit(root: Path | None = None) -> str | None:
    """The commit the book was built from (with a note when the checkout had changes), or None
    outside a git checkout."""
    root = root or paths.ROOT

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    head = git("rev-parse", "HEAD")
    if not head:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"`{head}`" + (" (with uncommitted changes)" if dirty else "")


def editions(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Each table that holds a dataset's edition: its publishers and the edition(s).

    Tables whose values come from the paper alone have no edition and are not listed."""
    rows = []
    for res in data.descriptor(data_dir)["resources"]:
        dated = [s for s in res.get("sources", []) if s.get("edition")]
        if not dated:
            continue
        rows.append(
            {
                "Table": res["path"],
                "Source": "; ".join(dict.fromkeys(s.get("publisher") or s.get("title", "") for s in dated)),
                "Edition": "; ".join(dict.fromkeys(str(s["edition"]) for s in dated)),
            }
        )
    return pd.DataFrame(rows, columns=["Table", "Source", "Edition"])


def build_markdown(data_dir: str | os.PathLike | None = None) -> str:
    """MyST for the top of the status page: build date, commit, and every data source's edition."""
    from halfopen import sources

    shown = editions(data_dir)
    others = len(data.descriptor(data_dir)["resources"]) - len(shown)
    table = tables.markdown_table(
        shown,
        caption="The edition of every dataset the book reads",
        label="tbl-status-editions",
        number="A4.1",
        index=False,
        links={"Table": lambda row: sources.anchor(row[0].removesuffix(".csv"))},
        source="`data/datapackage.json`; each table's section of the data-sources appendix gives the rest.",
    )
    made = commit()
    where = f"from commit {made}" if made else "outside a git checkout"
    return (
        f"Built on {build_date()}, {where}.\n\n{table}\n"
        f"The other {others} tables come from the paper itself (2019) or from our reading of it, paragraph by "
        "paragraph; they have no edition.\n"
    )


def run_markdown(record_path: Path) -> str:
    """MyST for the status page: the table of execution times and a sentence summing them."""
    if not record_path.exists():
        return (
            "This copy of the book was built without its runner (for example by a plain "
            "`jupyter-book build`), so no execution record is available.\n"
        )
    runs = run_table(record_path)
    table = tables.markdown_table(
        runs,
        caption="Execution of each chapter (its last run)",
        label="tbl-status-runs",
        number="A4.3",
        index=False,
        formats={"Seconds": "{:.1f}"},
        same={"Status": "Every chapter's last run ended with the status “{}”."},
        source="The runner's cache manifests (`halfopen_book.run`), read when this book was built.",
    )
    total = float(runs["Seconds"].sum()) if len(runs) else 0.0
    return (
        f"{table}\n{len(runs)} chapters took {total:.1f} seconds of execution in all (in parallel, "
        "so the wall-clock time was shorter). A chapter reused from the cache keeps the time of "
        "the run that produced it.\n"
    )


def environment_markdown(requirements: Path | None = None) -> str:
    """MyST for the status page: Python, platform, and every installed package against its pin."""
    facts = platform_facts()
    env = environment(requirements)
    disagree = int((env["Agrees"] == False).sum())  # noqa: E712 (None: not pinned)
    unpinned = int(env["Agrees"].isna().sum())
    table = tables.markdown_table(
        env.assign(Agrees=env["Agrees"].map({True: "yes", False: "NO", None: "not pinned"})),
        caption="Installed packages and their pins",
        label="tbl-status-packages",
        number="A4.2",
        index=False,
        source="`importlib.metadata`, read while this book was built; pins from `requirements.txt`.",
    )
    return (
        f"{build_markdown()}\n\n"
        f"Python {facts['python']} on {facts['system']} ({facts['machine']}, {facts['cores']} cores). "
        f"The environment holds {len(env)} packages; {disagree} of them differ from the pins of "
        f"`requirements.txt`, and {unpinned} are not pinned there (the local package among them).\n\n"
        f'<details class="status-packages">\n<summary>Every installed package and its pin</summary>\n\n'
        f"{table}\n\n</details>\n"
    )
