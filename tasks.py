#!/usr/bin/env python3
"""The book's two commands, for a fresh machine that has only Python 3.11.

    python3 tasks.py book    build the whole book into _build/html (executing every chapter)
    python3 tasks.py test    run the whole test suite
    python3 tasks.py lab     (optional) open the chapters in JupyterLab, in the book's environment

Each creates .venv and installs the pinned requirements.txt the first time, and again only
when requirements.txt or pyproject.toml changed (a stamp in .venv records their hash), so a
second run installs nothing. `test` also finds a Chromium for the browser tests
($HALFOPEN_CHROMIUM, Debian's /usr/bin/chromium, or chromium, chromium-browser or Google Chrome
on the PATH, as a hosted CI runner has) and, when there is none, installs Debian's chromium
with apt-get: as root, or through sudo where sudo needs no password; otherwise it says how.
Anything after the command is passed on (to `python -m halfopen build`, to pytest, or to
JupyterLab).
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


#: The browsers the tests can drive, in the order halfopen_book.pdf.find_chromium tries them.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def find_chromium() -> str | None:
    """The browser the tests will use (the same search as halfopen_book.pdf.find_chromium)."""
    named = os.environ.get("HALFOPEN_CHROMIUM")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def _as_root() -> list[str] | None:
    """The prefix that runs a command as root: none for root, `sudo -n` where it needs no password."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests if no Chromium is found and we may."""
    if find_chromium():
        return
    prefix = _as_root()
    if prefix is not None and shutil.which("apt-get"):
        print("Installing Debian's chromium for the browser tests ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
        subprocess.check_call([*apt, "update", "-qq"], env=env)
        subprocess.check_call(
            [*apt, "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], env=env
        )
    else:
        print(
            "warning: Debian's chromium is missing; the browser tests will fail. "
            "Install it with: sudo apt-get install chromium",
            file=sys.stderr,
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("book", "test", "lab"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
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
