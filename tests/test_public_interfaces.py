"""Our code uses other packages through their public interfaces only.

A static check of every module of ``halfopen`` and ``halfopen_book``: it fails when the code
reaches into a private name (one leading underscore) of Sphinx, Jupyter Book, MyST, pybtex,
docutils, nbclient, papermill, jupyter_client or the standard library, or assigns to an
attribute of one of their modules or of anything imported from them (monkey-patching). A
minor upgrade of any of them must not be able to break the book through a private name.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["halfopen", "halfopen_book"]
WATCHED = {
    "sphinx",
    "jupyter_book",
    "myst_parser",
    "myst_nb",
    "pybtex",
    "pybtex_docutils",
    "sphinxcontrib",
    "docutils",
    "nbclient",
    "papermill",
    "jupyter_client",
} | set(sys.stdlib_module_names)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations(source: str, filename: str = "<code>") -> list[str]:
    """Each use of a private name of a watched package, or assignment into one, in ``source``."""
    tree = ast.parse(source, filename)
    imported: dict[str, str] = {}  # local name -> the watched module (or object's module) it came from
    found: list[str] = []

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in WATCHED:
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{filename}:{node.lineno}: import {alias.name}")
                    imported[alias.asname or top] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top in WATCHED:
                if any(_private(part) for part in node.module.split(".")):
                    found.append(f"{filename}:{node.lineno}: from {node.module} import ...")
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{filename}:{node.lineno}: from {node.module} import {alias.name}")
                    imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def base_name(expr: ast.expr) -> str | None:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        return expr.id if isinstance(expr, ast.Name) else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = base_name(node.value)
            if base in imported:
                found.append(f"{filename}:{node.lineno}: {imported[base]}...{node.attr}")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            owner = base_name(target) if isinstance(target, ast.Attribute) else None
            if owner in imported:
                found.append(f"{filename}:{node.lineno}: assigns to {ast.unparse(target)} ({imported[owner]})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            if node.args and base_name(node.args[0]) in imported:
                found.append(f"{filename}:{node.lineno}: {node.func.id} on {ast.unparse(node.args[0])}")
    return found


MODULES = sorted(p for package in PACKAGES for p in (ROOT / package).glob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_private_names_or_patching_of_other_packages(module):
    found = violations(module.read_text(encoding="utf-8"), str(module.relative_to(ROOT)))
    assert not found, "private names or patching of other packages:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "code",
    [
        "import os\nos._exit(0)",
        "import atexit\natexit._run_exitfuncs()",
        "from sphinx.builders.html import _JavaScript",
        "import jupyter_book.sphinx as jb\njb.Sphinx = object",
        "from jupyter_book import sphinx\nsphinx.Sphinx = object",
        "import pybtex.plugin as p\np._DEFAULT_PLUGINS['x'] = 1",
        "import sys\nsys.stdout = None",
        "import sys\nsetattr(sys, 'stdout', None)",
        "import papermill._version",
        "from docutils import nodes\nnodes._x = 1",
    ],
)
def test_the_check_finds_what_it_forbids(code):
    assert violations(code), f"not caught: {code!r}"


@pytest.mark.parametrize(
    "code",
    [
        "import os\nos.environ.get('X')",
        "import pandas as pd\npd._libs",  # not a watched package
        "class A:\n    def __init__(self):\n        self._x = 1",
        "from sphinx.util.osutil import relative_uri\nrelative_uri('a', 'b')",
        "import json\nx = json.loads('{}')\nx.__class__",
    ],
)
def test_the_check_lets_public_use_pass(code):
    assert violations(code) == []
