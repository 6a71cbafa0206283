"""The book's chapters: which notebooks, in which order, what parameters, which study code.

- The order comes from ``_toc.yml``, read with Jupyter Book's own parser
  (``sphinx_external_toc``), so the runner and the book can never disagree about it.
- A chapter's parameters, their defaults and their meanings come from its cell tagged
  ``parameters``, read with ``papermill.inspect_notebook`` (the meaning is the comment on the
  parameter's line). They are read when first asked for (a parameter given on the command
  line, the ``params`` listing), so a build that passes none does not import papermill.
- The study code a chapter runs is found from the ``import`` statements of its code cells
  and of the ``halfopen`` modules they reach, read with the standard library's :mod:`ast`:
  the study package's import graph is read once (and again only for a module whose file
  changed), and each chapter's modules are the part of it the chapter reaches. Imports of
  other packages are not followed. The runner re-executes a chapter when one of its modules
  changes, and never because the book machinery (this package) changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from halfopen import paths

STUDY_PACKAGE = "halfopen"


@dataclass
class Parameter:
    """One parameter a chapter declares: its name, default (Python source) and meaning."""

    name: str
    default: str
    help: str


class Chapter:
    """A notebook of the book: its stem (``02_open_government_in_central_asia``) and path.

    Its :attr:`parameters` are those given, or else read from the notebook when first asked
    for (:func:`declared_parameters`). Two chapters are the same when name and path are.
    """

    def __init__(self, name: str, path: Path, parameters: dict[str, Parameter] | None = None):
        self.name = name
        self.path = Path(path)
        self._parameters = parameters

    @property
    def parameters(self) -> dict[str, Parameter]:
        if self._parameters is None:
            self._parameters = declared_parameters(self.path)
        return self._parameters

    @property
    def declared(self) -> set[str]:
        return set(self.parameters)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Chapter) and (self.name, self.path) == (other.name, other.path)

    def __hash__(self) -> int:
        return hash((self.name, self.path))

    def __repr__(self) -> str:
        return f"Chapter({self.name!r}, {str(self.path)!r})"


def book_root(root: Path | None = None) -> Path:
    return Path(root) if root else paths.ROOT


def toc_documents(root: Path | None = None) -> list[str]:
    """Every document of ``_toc.yml`` in reading order (``intro``, ``chapters/01_background``, ...)."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(book_root(root) / "_toc.yml")
    order: list[str] = []

    def visit(docname: str) -> None:
        order.append(docname)
        for tree in site[docname].subtrees:
            for item in tree.items:
                if isinstance(item, str):  # a document (URL items are not pages of ours)
                    visit(item)

    visit(site.root.docname)
    return order


def chapters(root: Path | None = None) -> list[Chapter]:
    """The notebook chapters of ``_toc.yml``, in book order (parameters read when asked for)."""
    root = book_root(root)
    out = []
    for doc in toc_documents(root):
        path = root / f"{doc}.ipynb"
        if path.exists():
            out.append(Chapter(Path(doc).name, path))
    return out


def declared_parameters(path: Path) -> dict[str, Parameter]:
    """The parameters of the notebook's ``parameters`` cell, as papermill reads them."""
    import papermill as pm

    found = pm.inspect_notebook(str(path))
    return {name: Parameter(name, str(p.get("default", "")), str(p.get("help", ""))) for name, p in found.items()}


def select(all_chapters: list[Chapter], names: list[str] | None) -> list[Chapter]:
    """The chapters named (by stem, or a unique prefix such as ``02``), or all."""
    if not names:
        return all_chapters
    chosen = []
    for n in names:
        c = find(all_chapters, n)
        if c not in chosen:
            chosen.append(c)
    return chosen


class ChapterNotFound(ValueError):
    """A chapter name or prefix that names no single chapter of the book."""


def find(all_chapters: list[Chapter], name: str) -> Chapter:
    """The one chapter whose stem is ``name`` or starts with it (``6`` also names ``06_...``)."""
    stem = Path(name).stem

    def number(c: Chapter) -> int | None:
        head = c.name.split("_", 1)[0]
        return int(head) if head.isdigit() else None

    hits = [c for c in all_chapters if c.name == stem]
    if not hits and stem.isdigit():  # a chapter's number: "6" or "06" for 06_more_inclusive_...
        hits = [c for c in all_chapters if number(c) == int(stem)]
    if not hits:
        hits = [c for c in all_chapters if c.name.startswith(stem)]
    if len(hits) != 1:
        known = ", ".join(c.name for c in all_chapters)
        raise ChapterNotFound(f"no single chapter matches {name!r}; chapters: {known}")
    return hits[0]


# --------------------------------------------------------------------------- study code


def code_cells(path: Path) -> str:
    """The notebook's code cells as one Python script (cells that don't parse are left out)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            try:
                ast.parse(source)
            except SyntaxError:  # IPython syntax (a magic): not Python, and imports nothing we follow
                continue
            parts.append(source)
    return "\n\n".join(parts)


def _statements(body: list[ast.AST]) -> Iterator[ast.AST]:
    """Every statement of ``body``, nested ones included (an import is always a statement, so
    the expressions, most of a module's nodes, need not be visited)."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                yield from _statements(inner)


def imported_names(tree: ast.AST, package: str | None = None) -> set[str]:
    """Every absolute name an ``import`` anywhere in ``tree`` may load.

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a
    module or a name in ``a``; a name that is no module simply matches no file). Relative
    imports are resolved against ``package``, the package of the module the code is in.
    Imports inside functions count too: the module needs them when the function runs.
    """
    names: set[str] = set()
    for node in _statements(getattr(tree, "body", [])):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if not package:
                    continue
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    continue
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _module_file(name: str, root: Path) -> Path | None:
    """The file of study module ``name`` (``halfopen.data``) under ``root``, if it is one."""
    if name != STUDY_PACKAGE and not name.startswith(STUDY_PACKAGE + "."):
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _files_loaded(names: set[str], root: Path) -> set[Path]:
    """The study files importing ``names`` loads: each module and the packages above it."""
    files = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            f = _module_file(".".join(parts[:i]), root)
            if f is not None:
                files.add(f)
    return files


@cache
def _module_imports(path: Path, root: Path, mtime_ns: int, size: int) -> frozenset[Path]:
    """The study files module ``path`` imports directly (cached while its file is unchanged)."""
    rel = path.relative_to(root).with_suffix("")
    module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
    package = module if rel.name == "__init__" else module.rpartition(".")[0]
    tree = ast.parse(path.read_bytes(), filename=str(path))
    return frozenset(_files_loaded(imported_names(tree, package), root))


def study_graph(root: Path | None = None) -> dict[Path, frozenset[Path]]:
    """The study package's import graph: each module's file and the study files it imports."""
    base = book_root(root).resolve()
    graph = {}
    for f in sorted((base / STUDY_PACKAGE).rglob("*.py")):
        f = f.resolve()
        st = f.stat()
        graph[f] = _module_imports(f, base, st.st_mtime_ns, st.st_size)
    return graph


def study_modules(path: Path, root: Path | None = None, graph: dict[Path, frozenset[Path]] | None = None) -> list[Path]:
    """The files of the study package that the chapter's code imports, directly or not.

    ``graph`` is :func:`study_graph` of ``root``, when the caller already has it (a build
    reads it once for all its chapters).
    """
    base = book_root(root).resolve()
    graph = study_graph(base) if graph is None else graph
    todo = list(_files_loaded(imported_names(ast.parse(code_cells(path))), base))
    found: set[Path] = set()
    while todo:
        f = todo.pop()
        if f not in found:
            found.add(f)
            todo.extend(graph.get(f, ()))
    return sorted(found)


def study_code_hash(path: Path, root: Path | None = None, graph: dict[Path, frozenset[Path]] | None = None) -> str:
    """Hash of the study code the chapter runs (names and bytes of those modules)."""
    h = hashlib.sha256()
    base = book_root(root).resolve()
    for f in study_modules(path, root, graph):
        h.update(f.relative_to(base).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def parameters_markdown(root: Path | None = None) -> str:
    """A MyST table of every chapter's parameters: chapter, name, meaning, default."""
    rows = ["| Chapter | Parameter | Meaning in this chapter | Default |", "|---|---|---|---|"]
    for c in chapters(root):
        for p in c.parameters.values():
            meaning = (p.help or "").replace("|", "\\|")
            rows.append(f"| `{c.name}` | `{p.name}` | {meaning} | `{p.default}` |")
    return "\n".join(rows) + "\n"


def parameters_text(root: Path | None = None) -> str:
    """The same list as plain text, for the terminal."""
    lines = []
    for c in chapters(root):
        lines.append(c.name)
        for p in c.parameters.values():
            lines.append(f"  {p.name} = {p.default}" + (f"    # {p.help}" if p.help else ""))
    return "\n".join(lines)


def literal_default(p: Parameter) -> Any:
    """A parameter's default as a Python value (None when it is not a literal)."""
    try:
        return ast.literal_eval(p.default)
    except (ValueError, SyntaxError):
        return None
