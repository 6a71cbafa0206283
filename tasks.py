#!/usr/bin/env python3
"""The book's two commands, for a fresh machine that has only Python 3.11.

    python3 tasks.py book    build the whole book into _build/html (executing every chapter)
    python3 tasks.py test    run the whole test suite
    python3 tasks.py lab     (optional) open the chapters in JupyterLab, in the book's environment
    python3 tasks.py chromium    find the Chromium the PDFs and browser tests drive (--check: only say)

Each creates .venv and installs the pinned requirements.txt the first time, and again only
when requirements.txt or pyproject.toml changed (a stamp in .venv records their hash), so a
second run installs nothing. `test` (and `chromium`) find a Chromium for the browser tests
(halfopen_book/chromium.py says where they look) and, when there is none, install Debian's
chromium with apt-get: as root, or through sudo where sudo needs no password; otherwise say how
(`chromium --check` installs nothing and exits 1). Anything after `book`, `test` or `lab` is
passed on (to `python -m halfopen build`, to pytest, or to JupyterLab).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the Chromium finder, which needs only the standard library

from halfopen_book.chromium import find_chromium  # noqa: E402

VENV = ROOT / ".venv"
STAMP = VENV / ".requirements.sha256"
PY = VENV / "bin" / "python"


def _requirements_hash() -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install requirements.txt unless the stamp says it's current."""
    if sys.version_info[:2] != (3, 11):
        print(f"note: requirements.txt is pinned for Python 3.11; this is {sys.version.split()[0]}", file=sys.stderr)
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _requirements_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("Installing the pinned requirements into .venv ...", flush=True)
    subprocess.check_call(
        [
            str(PY),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(ROOT / "requirements.txt"),
        ],
        cwd=ROOT,
    )
    STAMP.write_text(wanted + "\n")


def _as_root() -> list[str] | None:
    """The prefix that runs a command as root: none for root, `sudo -n` where it needs no password."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def ensure_chromium() -> str | None:
    """The Chromium found, after installing Debian's chromium if there is none and we may."""
    if found := find_chromium():
        return found
    prefix = _as_root()
    if prefix is not None and shutil.which("apt-get"):
        print("Installing Debian's chromium for the browser tests ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
        subprocess.check_call([*apt, "update", "-qq"], env=env)
        subprocess.check_call(
            [*apt, "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], env=env
        )
        return find_chromium()
    print(
        "warning: no Chromium found; the browser tests will fail. Install it with: sudo apt-get install chromium",
        file=sys.stderr,
    )
    return None


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("book", "test", "lab", "chromium"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "chromium":
        found = find_chromium() if "--check" in rest else ensure_chromium()
        print(found or "no Chromium found")
        return 0 if found else 1
    ensure_venv()
    if command == "book":
        return subprocess.call([str(PY), "-m", "halfopen", "build", *rest], cwd=ROOT)
    if command == "lab":
        # The kernel is this environment's: a chapter imports the same halfopen, reads the
        # same data/ (or its data_dir parameter) and refuses a bad table with the same message.
        root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return subprocess.call([str(PY), "-m", "jupyterlab", "chapters", *root_flag, *rest], cwd=ROOT)
    ensure_chromium()
    return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
