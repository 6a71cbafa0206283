"""ruff, as configured in pyproject.toml, over the package, the machinery, the tests, the
benchmarks and the chapters (ruff reads notebooks itself): the lint the project pins is enforced
wherever the README's test command runs, CI included."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: What ruff checks: every file of Python the project writes.
PATHS = ["halfopen", "halfopen_book", "tests", "benchmarks", "chapters", "tasks.py"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_finds_nothing(root, command):
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *PATHS], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"ruff {' '.join(command)}:\n{proc.stdout}\n{proc.stderr}"
