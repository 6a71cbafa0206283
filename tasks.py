#!/usr/bin/env python3
"""The book's commands, for a fresh machine that has only Python 3.11.

    python3 tasks.py book        build the whole book into _build/html (executing every chapter)
    python3 tasks.py test        run the whole test suite (what CI runs)
    python3 tasks.py test --quick   the edit loop's tier: every test that needs no built book,
                                 no fresh environment and no browser
    python3 tasks.py lab         (optional) open the chapters in JupyterLab
    python3 tasks.py chromium    find the Chromium the PDFs and browser tests drive (--check: only say)

`book` and `test` use .venv, made from the pinned requirements.txt (the book's environment).
`lab` uses .venv-lab, made from binder/requirements.txt: the same pins plus JupyterLab and what
only JupyterLab needs, the file Binder installs too. Keeping JupyterLab out of .venv keeps its
dependencies out of every build and test (jsonschema's format checkers among them, which
compile a grammar whenever jsonschema is imported). Each environment is created the first time
(the standard library's venv, with pip) and brought back to its pins only when its requirement
files or pyproject.toml change (a stamp in the environment records their hash), so a second run
installs nothing. Installing is uv's `uv pip sync`, the uv pinned in requirements.txt, which
pip puts into the environment first: it installs exactly the pins (so they name every
dependency, wheel among them), removes a package the pins no longer name, and is much faster
than pip on a fresh clone (docs/performance.md). pip stays in each environment.

`test` (and `chromium`) find a Chromium for the browser tests (halfopen_book/chromium.py says
where they look) and, when there is none, install Debian's chromium with apt-get: as root, or
through sudo where sudo needs no password; otherwise say how (`chromium --check` installs
nothing and exits 1). Anything after `book`, `test` or `lab` is passed on (to
`python -m halfopen build`, to pytest, or to JupyterLab).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the Chromium finder, which needs only the standard library

from halfopen_book.chromium import find_chromium  # noqa: E402

#: The quick tier (``test --quick``): pytest's marker expression for the tests it leaves out.
QUICK = "not slow and not browser"

VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
LAB_VENV = ROOT / ".venv-lab"
LAB_REQUIREMENTS = ROOT / "binder" / "requirements.txt"
STAMP = ".requirements.sha256"


def requirement_files(requirements: Path) -> list[Path]:
    """``requirements`` and the files it includes with ``-r`` (paths relative to the including file)."""
    files = [requirements]
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            files += requirement_files((requirements.parent / line.split(None, 1)[1]).resolve())
    return files


def _requirements_hash(requirements: Path) -> str:
    h = hashlib.sha256()
    for f in [*requirement_files(requirements), ROOT / "pyproject.toml"]:
        h.update(f.read_bytes())
    return h.hexdigest()


def uv_pin(requirements: Path) -> str:
    """The ``uv==VERSION`` line the requirement files pin: the one home of uv's version."""
    for f in requirement_files(requirements):
        for line in f.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if re.fullmatch(r"uv\s*==\s*\S+", line):
                return line.replace(" ", "")
    raise SystemExit(f"{requirements} pins no uv (uv==VERSION), which installs the environment")


def ensure_venv(venv_dir: Path = VENV, requirements: Path = REQUIREMENTS) -> Path:
    """Create ``venv_dir`` and make it hold exactly the pins of ``requirements``, unless its
    stamp says it already does; return its Python.

    The standard library's venv makes the environment (with pip), pip installs the pinned uv
    into it, and ``uv pip sync`` installs every pin, removes what the pins do not name (but the
    pip and setuptools venv put there) and compiles the bytecode; ``uv pip check`` checks the
    result."""
    python = venv_dir / "bin" / "python"
    if sys.version_info[:2] != (3, 11):
        print(f"note: the requirements are pinned for Python 3.11; this is {sys.version.split()[0]}", file=sys.stderr)
    fresh = not python.exists()
    if fresh:
        print(f"Creating {venv_dir.name} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    stamp, wanted = venv_dir / STAMP, _requirements_hash(requirements)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    shown = requirements.relative_to(ROOT) if requirements.is_relative_to(ROOT) else requirements
    print(f"Installing the pinned {shown} into {venv_dir.name} ...", flush=True)
    pin, uv = uv_pin(requirements), venv_dir / "bin" / "uv"
    has = subprocess.run([str(uv), "--version"], capture_output=True, text=True).stdout.split() if uv.exists() else []
    if has[:2] != ["uv", pin.split("==")[1]]:
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.check_call([*pip, "install", "--quiet", pin], cwd=ROOT)
    # A fresh environment installs quietly; a re-sync shows what it adds and removes. Bytecode
    # is compiled now, as pip did: where PYTHONDONTWRITEBYTECODE is set, an environment without
    # it compiles every module at every import (pandas, Sphinx and the rest: 6 s instead of 1.7).
    quiet = ["--quiet"] if fresh else []
    sync = [str(uv), "pip", "sync", *quiet, "--compile-bytecode", "--python", str(python), str(requirements)]
    subprocess.check_call(sync, cwd=ROOT)
    subprocess.check_call([str(uv), "pip", "check", "--quiet", "--python", str(python)], cwd=ROOT)
    stamp.write_text(wanted + "\n")
    return python


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
    if command == "lab":
        # The kernel is .venv-lab's: the book's pins and this package (editable), so a chapter
        # imports the same halfopen, reads the same data/ (or its data_dir parameter) and
        # refuses a bad table with the same message as the book command.
        python = ensure_venv(LAB_VENV, LAB_REQUIREMENTS)
        root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return subprocess.call([str(python), "-m", "jupyterlab", "chapters", *root_flag, *rest], cwd=ROOT)
    python = ensure_venv()
    if command == "book":
        return subprocess.call([str(python), "-m", "halfopen", "build", *rest], cwd=ROOT)
    if "--quick" in rest:
        # The tests marked slow build the book, execute chapters or make an environment; those
        # marked browser drive Chromium. The rest need neither and run in about a minute.
        rest = [a for a in rest if a != "--quick"]
        return subprocess.call([str(python), "-m", "pytest", "-m", QUICK, *rest], cwd=ROOT)
    ensure_chromium()
    return subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
