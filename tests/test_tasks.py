"""The README's commands (tasks.py): the optional ``lab`` command opens the book's environment.

A chapter opened in JupyterLab runs on the kernel of the environment that ``tasks.py`` made,
so it imports the same ``halfopen`` and refuses a bad table with the same message (that the
loader refuses one outside the runner is tested in test_data.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_lab_command_starts_the_environments_jupyterlab():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tasks.py"), "lab", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from importlib.metadata import version

    assert proc.stdout.strip().splitlines()[-1] == version("jupyterlab")


def test_the_kernel_lab_offers_is_this_environments_python():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert Path(spec.resource_dir).is_relative_to(Path(sys.prefix)), spec.resource_dir
    probe = subprocess.run(
        [sys.executable, "-c", "import halfopen, sys; print(halfopen.__file__)"], capture_output=True, text=True
    )
    assert Path(probe.stdout.strip()).parent == ROOT / "halfopen"


def test_help_lists_the_three_commands():
    proc = subprocess.run([sys.executable, str(ROOT / "tasks.py")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    for command in ("tasks.py book", "tasks.py test", "tasks.py lab", "tasks.py chromium"):
        assert command in proc.stdout


def tasks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tasks.py"), *args], cwd=ROOT, capture_output=True, text=True, env=env
    )


def test_chromium_check_reports_the_browser_the_book_would_drive(tmp_path):
    """One finder (halfopen_book/chromium.py) for tasks.py, .ci/run and the PDFs; it needs only
    the standard library, since .ci/run asks before .venv exists."""
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    found = tasks("chromium", "--check", env={**os.environ, "HALFOPEN_CHROMIUM": str(fake)})
    assert found.returncode == 0 and found.stdout.strip() == str(fake), found.stdout + found.stderr
    missing = tasks("chromium", "--check", env={**os.environ, "HALFOPEN_CHROMIUM": str(tmp_path / "none")})
    assert missing.returncode == 1 and "no Chromium found" in missing.stdout
    bare = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import halfopen_book.chromium",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert bare.returncode == 0, bare.stderr
