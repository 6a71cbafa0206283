"""How the build tests make their builds: copies of the book, the published build's settings, and
the helpers they share.

The integration tests never build in the checkout: they copy the book's files into a temporary
folder and run the COPY's own package there (``PYTHONPATH=<copy>``, ``cwd=<copy>``), so every
edit a test makes (a data value, a failing cell) touches the copy only. ``conftest.py`` builds
one such copy per test session (the ``copied_book`` fixture) for the runner and trust tests.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The site address and repository the published build is given (any will do; none is invented
#: for the book itself).
SITE = "https://example.org/halfopen/"
REPOSITORY = "https://github.com/example-org/halfopen-book"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (bytecode caches aside) -> its SHA-256."""
    return {
        str(p.relative_to(folder)): sha(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def copy_book(dest: Path) -> Path:
    """Copy the book's files (tracked, plus new ones git doesn't ignore) into ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():  # a tracked file deleted in the working tree is not part of the book
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def halfopen(copy: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python -m halfopen ARGS`` with the copy's package, from inside the copy."""
    env = {k: v for k, v in os.environ.items() if k not in ("HALFOPEN_DATA_DIR", "HALFOPEN_READ_LOG")}
    env["PYTHONPATH"] = str(copy)
    return subprocess.run(
        [sys.executable, "-m", "halfopen", *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fail(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-5000:]}\n--- stderr\n{proc.stderr[-5000:]}"


def snapshot(build: Path) -> dict:
    """What the determinism test compares, read right after a build (later tests rebuild).

    The hash of every figure file, and every executed notebook's text.
    """
    executed = {p.name: p.read_text(encoding="utf-8") for p in sorted((build / "executed").glob("*.ipynb"))}
    return {"images": tree_hashes(build / "html" / "_images"), "executed": executed}


def build_with_address(build_dir: Path) -> subprocess.CompletedProcess:
    """The book command with both settings, as the deploy workflow runs it."""
    from halfopen_book import build

    env = dict(os.environ, **{build.SITE_URL_ENV: SITE, build.REPOSITORY_ENV: REPOSITORY})
    command = [sys.executable, "-m", "halfopen", "build", "--build-dir", str(build_dir), "--no-progress"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def pages(html: Path) -> dict[str, str]:
    """Every page of a built site -> the SHA-256 of its text, less the cache-busting ``?v=<checksum>``
    Sphinx adds to a stylesheet's link when the stylesheet already sat in its output (the one
    difference allowed between an incremental build and a fresh one)."""
    return {
        str(p.relative_to(html)): hashlib.sha256(
            re.sub(r"\?v=[0-9a-f]{8}\b", "", p.read_text(encoding="utf-8")).encode()
        ).hexdigest()
        for p in sorted(html.rglob("*.html"))
    }


@dataclass
class Restored:
    """What :func:`edited` did when its block ended: the build that put the book back."""

    proc: subprocess.CompletedProcess | None = None


@contextmanager
def edited(copy: Path, build: Path, *files: Path) -> Iterator[Restored]:
    """Put ``files`` of the copy back as they were when the block ends, however it ends, and build
    the copy again, so that the next test that uses it finds its book built from its sources
    (that build's process is the ``proc`` of what it yields, for the test to check)."""
    originals = {f: f.read_bytes() for f in files}
    restored = Restored()
    try:
        yield restored
    finally:
        for f, body in originals.items():
            f.write_bytes(body)
        restored.proc = halfopen(copy, "build", "--build-dir", str(build), "--no-progress")
