"""Lighthouse over every page of a built book, served compressed, beside the stock sample book.

What a reader on a phone gets from each page: Lighthouse 12.2.3's four category scores
(performance, accessibility, best practices, SEO; its default mobile preset: a mid-range phone
on a slow 4G network, simulated) and the bytes the page transferred. Each site is served from
127.0.0.1 by a small server that gzip-compresses text (HTML, CSS, JavaScript, SVG, JSON) as a
static host does (GitHub Pages does), so the transfer is what a reader downloads.

The baseline is Jupyter Book 1's own sample book (``jupyter-book create``), built with the same
Jupyter Book and measured in the same run, so the machine's load hits both alike. The
performance score depends on timing (Lighthouse simulates the network and the phone's CPU from
what it observes): it is a benchmark figure, not a test. The tests (``tests/test_browser.py``,
``tests/test_site.py``) assert what does not depend on timing.

Usage (after ``python3 tasks.py book``; Lighthouse installed as benchmarks/README.md says)::

    .venv/bin/python benchmarks/lighthouse.py                  # _build/html and the stock book
    .venv/bin/python benchmarks/lighthouse.py /tmp/me/html     # another built site
    .venv/bin/python benchmarks/lighthouse.py before=/tmp/old/html after=_build/html   # both, one run
    .venv/bin/python benchmarks/lighthouse.py --no-stock --pages 'chapters/02*'
    .venv/bin/python benchmarks/lighthouse.py --json out.json  # also keep the raw figures
    .venv/bin/python benchmarks/lighthouse.py --runs 3         # each page three times: the median

One run of the same page scores anywhere in a band of about ten points on a shared machine.
Lighthouse's own advice (docs/variability.md in its repository: "the median Lighthouse score of
5 runs is twice as stable as 1 run") is to run it several times and take the median; ``--runs N``
does that for the performance score and shows the range beside it. The other three scores and
the transfer do not depend on timing; of several runs the table keeps the worst of each.

The exit code is non-zero when Lighthouse failed on a page (its figures would be missing).
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from the checkout: the book's own server
from halfopen_book.pdf import QuietHandler, serve  # noqa: E402 - after the path

#: Where ``npm i`` in benchmarks/README.md puts Lighthouse; ``--lighthouse`` or $LIGHTHOUSE overrides.
LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: The goal of issue 14, for every page of the book.
GOAL = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
GOAL_KB = 400
#: Text types a static host compresses.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


# --------------------------------------------------------------------------- serving


class CompressingHandler(QuietHandler):
    """Static files, gzip-compressed (level 6) when the client accepts it and the type is text."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(200)
        if kind.startswith(COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        self.end_headers()
        self.wfile.write(body)


def serve_compressed(folder: Path):
    """Serve ``folder`` compressed on 127.0.0.1 at a free port (a context manager yielding its URL)."""
    return serve(folder, CompressingHandler)


# --------------------------------------------------------------------------- pages


def is_redirect(page: Path) -> bool:
    """A page that only sends the browser elsewhere (Jupyter Book's ``index.html``)."""
    text = page.read_text(encoding="utf-8", errors="replace")
    return len(text) < 1000 and 'http-equiv="Refresh"'.lower() in text.lower()


def pages(site: Path, pattern: str = "*") -> list[str]:
    """Every HTML page of a built site (relative paths, sorted), redirects and ``_`` folders left out."""
    found = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith("_") or "/_" in rel or is_redirect(page) or not fnmatch.fnmatch(rel, pattern):
            continue
        found.append(rel)
    return found


def stock_book(workdir: Path) -> Path:
    """Jupyter Book 1's sample book (``jupyter-book create``), built with its defaults; its html/."""
    jb = str(Path(sys.executable).parent / "jupyter-book")
    book = workdir / "stock_book"
    subprocess.run([jb, "create", str(book)], check=True, capture_output=True, text=True)
    proc = subprocess.run([jb, "build", str(book)], capture_output=True, text=True)
    html = book / "_build" / "html"
    if proc.returncode != 0 or not (html / "intro.html").exists():
        raise RuntimeError(f"the stock book did not build:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return html


# --------------------------------------------------------------------------- lighthouse


def chromium() -> str:
    """Debian's chromium (or $CHROME_PATH, or a chromium on PATH)."""
    for candidate in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("chromium not found: apt-get install chromium (or set CHROME_PATH)")


def lighthouse(binary: Path, url: str) -> dict:
    """One Lighthouse run (mobile preset) over ``url``: the four scores and the transfer in bytes."""
    command = [
        str(binary),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chromium()})
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip()[-500:]}
    report = json.loads(proc.stdout)
    result = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    result["bytes"] = int(report["audits"]["total-byte-weight"]["numericValue"])
    result["failed"] = sorted(
        a["id"]
        for c in CATEGORIES[1:]
        for ref in report["categories"][c]["auditRefs"]
        if ref["weight"] > 0
        for a in [report["audits"][ref["id"]]]
        if a["score"] is not None and a["score"] < 1
    )
    result["lighthouse"] = report.get("lighthouseVersion")
    return result


def combine(runs: list[dict]) -> dict:
    """Several runs of one page as one row: the median performance score (with every run's
    score in ``performance_runs``), the worst of the scores that do not depend on timing, the
    largest transfer. A run that failed makes the row a failure."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    row = dict(runs[0])
    scores = [r["performance"] for r in runs]
    row["performance"] = round(statistics.median(scores))
    row["performance_runs"] = scores
    for c in CATEGORIES[1:]:
        row[c] = min(r[c] for r in runs)
    row["bytes"] = max(r["bytes"] for r in runs)
    row["failed"] = sorted({a for r in runs for a in r["failed"]})
    return row


def measure(binary: Path, site: Path, pattern: str, label: str, log, runs: int = 1) -> list[dict]:
    """Every page of ``site`` matching ``pattern``, ``runs`` times each (in rounds over the pages, so
    a spell of load on the machine hits every page rather than all runs of one)."""
    found = pages(site, pattern)
    results: dict[str, list[dict]] = {rel: [] for rel in found}
    with serve_compressed(site) as base:
        for round_ in range(1, runs + 1):
            for rel in found:
                log(f"  {label}: {rel}" + (f" (run {round_} of {runs})" if runs > 1 else ""))
                results[rel].append(lighthouse(binary, base + rel))
    return [{"site": label, "page": rel, **combine(results[rel])} for rel in found]


def meets_goal(row: dict) -> bool:
    return "error" not in row and row["bytes"] <= GOAL_KB * 1024 and all(row[c] >= g for c, g in GOAL.items())


def table(rows: list[dict]) -> str:
    """The figures as a Markdown table, one row per page."""
    lines = [
        "| site | page | performance | accessibility | best practices | SEO | transfer | goal |",
        "|---|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['site']} | {r['page']} | Lighthouse failed: {r['error'][:80]} | | | | | |")
            continue
        performance = str(r["performance"])
        if len(r.get("performance_runs", [])) > 1:
            performance += f" ({min(r['performance_runs'])}–{max(r['performance_runs'])})"
        scores = " | ".join([performance] + [str(r[c]) for c in CATEGORIES[1:]])
        goal = "yes" if meets_goal(r) else "no"
        lines.append(f"| {r['site']} | {r['page']} | {scores} | {r['bytes'] / 1024:,.0f} KB | {goal} |")
    return "\n".join(lines)


def summary(rows: list[dict]) -> str:
    out = []
    for label in dict.fromkeys(r["site"] for r in rows):
        ok = [r for r in rows if r["site"] == label and "error" not in r]
        if not ok:
            continue
        worst = {c: min(r[c] for r in ok) for c in CATEGORIES}
        heaviest = max(ok, key=lambda r: r["bytes"])
        failed = sorted({a for r in ok for a in r["failed"]})
        out.append(
            f"{label}: {len(ok)} pages; lowest performance {worst['performance']}, accessibility "
            f"{worst['accessibility']}, best practices {worst['best-practices']}, SEO {worst['seo']}; heaviest "
            f"{heaviest['page']} at {heaviest['bytes'] / 1024:,.0f} KB; pages meeting the goal: "
            f"{sum(meets_goal(r) for r in ok)}/{len(ok)}"
            + (f"; audits lost outside performance: {', '.join(failed)}" if failed else "")
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sites",
        nargs="*",
        default=[f"ours={ROOT / '_build' / 'html'}"],
        help="built sites' html/ folders, as [LABEL=]PATH",
    )
    parser.add_argument("--pages", default="*", help="only pages matching this pattern (e.g. 'chapters/02*')")
    parser.add_argument("--no-stock", action="store_true", help="leave out the stock sample book")
    parser.add_argument("--lighthouse", type=Path, default=Path(os.environ.get("LIGHTHOUSE", LIGHTHOUSE)))
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the table shows the median performance")
    args = parser.parse_args(argv)
    if not args.lighthouse.exists():
        raise SystemExit(
            f"Lighthouse not found at {args.lighthouse}: "
            f"npm i -E --prefix benchmarks --no-save --no-package-lock lighthouse@{LIGHTHOUSE_VERSION}"
        )
    sites = [(s.partition("=")[0], Path(s.partition("=")[2])) if "=" in s else ("ours", Path(s)) for s in args.sites]
    for _, site in sites:
        if not (site / "intro.html").exists():
            raise SystemExit(f"no built book at {site} (python3 tasks.py book)")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    rows = [row for label, site in sites for row in measure(args.lighthouse, site, args.pages, label, log, args.runs)]
    if not args.no_stock:
        with tempfile.TemporaryDirectory(prefix="stock-book-") as tmp:
            log("building the stock sample book (jupyter-book create)")
            rows += measure(args.lighthouse, stock_book(Path(tmp)), "*", "stock JB1 sample", log, args.runs)
    versions = {r.get("lighthouse") for r in rows if "error" not in r}
    runs = f"; {args.runs} runs per page, performance as the median (lowest–highest)" if args.runs > 1 else ""
    print(f"Lighthouse {', '.join(sorted(v for v in versions if v))}, mobile preset, served gzip-compressed{runs}\n")
    print(table(rows))
    print()
    print(summary(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
