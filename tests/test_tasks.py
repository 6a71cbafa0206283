"""The README's commands (tasks.py): the book's environment, JupyterLab's, and the browser.

``book`` and ``test`` run in ``.venv`` (``requirements.txt``), which holds no JupyterLab;
``lab`` runs in ``.venv-lab``, made from ``binder/requirements.txt``, the file Binder installs:
the book's pins and this package, plus JupyterLab. A chapter opened there runs on that
environment's kernel, so it imports the same ``halfopen`` and refuses a bad table with the same
message (that the loader refuses one outside the runner is tested in test_data.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
LAB_VENV = ROOT / ".venv-lab"


def tasks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tasks.py"), *args], cwd=ROOT, capture_output=True, text=True, env=env
    )


def test_help_lists_the_commands():
    proc = tasks()
    assert proc.returncode == 2
    for command in ("tasks.py book", "tasks.py test", "tasks.py lab", "tasks.py chromium"):
        assert command in proc.stdout


def test_the_books_environment_holds_no_jupyterlab():
    """What only JupyterLab needs is pinned for Binder and .venv-lab, not for the book."""
    for module in ("jupyterlab", "jupyter_server", "jupyter_events", "rfc3987_syntax", "nbconvert"):
        assert importlib.util.find_spec(module) is None, f"{module} is installed in the book's environment"
    book = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert not re.search(r"^jupyterlab==", book, re.M)


def test_binders_files_pin_every_package_on_top_of_the_books_pins():
    """Binder (repo2docker) reads binder/ instead of the root: its Python and its requirements."""
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    assert not (ROOT / "runtime.txt").exists() and not (ROOT / "environment.yml").exists()
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "-r ../requirements.txt"
    for line in lines[1:]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", line), f"not an exact pin: {line}"
    assert any(line.startswith("jupyterlab==") for line in lines)


@pytest.mark.slow
def test_lab_opens_binders_pinned_jupyterlab_whose_kernel_runs_a_chapter(tmp_path):
    """``tasks.py lab`` makes .venv-lab from binder/requirements.txt (or brings it back to those
    pins, removing anything else), so this environment is the one Binder builds: pip finds it
    consistent, JupyterLab is the pinned one, its python3 kernel is that environment's and
    executes a chapter with this checkout's package and data."""
    proc = tasks("lab", "--version")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pins = (BINDER / "requirements.txt").read_text(encoding="utf-8")
    assert f"jupyterlab=={proc.stdout.strip().splitlines()[-1]}" in pins.splitlines()
    python = LAB_VENV / "bin" / "python"
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["HALFOPEN_VALIDATED_DIR"] = str(tmp_path / "validated")
    probe = (
        "import halfopen, sys\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "print(sys.prefix)\n"
        "print(halfopen.__file__)\n"
        "print(KernelSpecManager().get_kernel_spec('python3').resource_dir)\n"
    )
    prefix, package, kernel = subprocess.run(
        [str(python), "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert Path(prefix) == LAB_VENV and Path(package) == ROOT / "halfopen" / "__init__.py"
    assert Path(kernel).is_relative_to(LAB_VENV), kernel

    chapter = "02_open_government_in_central_asia.ipynb"
    out = tmp_path / chapter
    run = subprocess.run(
        [str(python), "-m", "papermill", str(ROOT / "chapters" / chapter), str(out), "-k", "python3"],
        cwd=ROOT / "chapters",
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"papermill failed in JupyterLab's environment:\n{run.stderr[-4000:]}"
    text = json.dumps([c.get("outputs", []) for c in json.loads(out.read_text(encoding="utf-8"))["cells"]])
    assert "Kazakhstan" in text and '"output_type": "error"' not in text


@pytest.mark.slow
def test_an_environment_is_synced_to_its_pins_and_a_second_run_installs_nothing(tmp_path, capfd):
    """``ensure_venv`` makes an environment hold exactly its pins with the pinned uv (``uv pip
    sync``), bytecode compiled: a package the pins no longer name is removed, pip stays
    (Binder's tool, and the check the lab test runs), and while the files are unchanged a
    second run installs nothing."""
    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    tasks_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks_py)
    book = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    )
    # Two small pins of the book, without dependencies, whose wheels the .venv install has fetched.
    pins = [f"{name}=={book[name]}" for name in ("idna", "zipp")]
    uv = tasks_py.uv_pin(ROOT / "requirements.txt")
    assert uv == f"uv=={book['uv']}"
    requirements, env = tmp_path / "requirements.txt", tmp_path / "env"

    def installed() -> dict[str, str]:
        listed = subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "list", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
        )
        return {d["name"].lower(): d["version"] for d in json.loads(listed.stdout)}

    requirements.write_text("\n".join([uv, *pins]) + "\n")
    tasks_py.ensure_venv(env, requirements)
    first = installed()
    assert {"idna", "zipp", "uv"} <= first.keys() and first["uv"] == book["uv"], first
    assert set(first) - {"idna", "zipp", "uv", "pip", "setuptools"} == set(), first
    # Compiled at install, as pip did (where PYTHONDONTWRITEBYTECODE is set, nothing else would).
    assert list(env.glob("lib/python3.*/site-packages/idna/__pycache__/*.pyc"))

    capfd.readouterr()
    tasks_py.ensure_venv(env, requirements)
    assert capfd.readouterr().out == "", "a second run with the same pins installed something"

    requirements.write_text("\n".join([uv, pins[0]]) + "\n")  # zipp is no longer pinned
    tasks_py.ensure_venv(env, requirements)
    out = capfd.readouterr()
    assert "- zipp==" in out.out + out.err, out
    assert "zipp" not in installed() and "idna" in installed()
    check = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


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


def test_the_quick_tier_leaves_out_exactly_the_builds_and_the_browser():
    """``tasks.py test --quick`` collects every test but those marked slow or browser."""

    def collected(proc: subprocess.CompletedProcess) -> set[str]:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return {line for line in proc.stdout.splitlines() if "::" in line}

    def pytest(*args: str) -> set[str]:
        cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", *args]
        return collected(subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True))

    quick = collected(tasks("test", "--quick", "--collect-only", "-q", "-n", "0"))
    everything, slow_or_browser = pytest(), pytest("-m", "slow or browser")
    assert quick and slow_or_browser and quick | slow_or_browser == everything and not quick & slow_or_browser
    assert not [name for name in quick if name.startswith(("tests/test_browser", "tests/test_site", "tests/test_book"))]
