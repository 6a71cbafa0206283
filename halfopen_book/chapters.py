"""The book's chapters: which notebooks, in which order, what parameters, which study code.

- The order comes from ``_toc.yml``, read with Jupyter Book's own parser
  (``sphinx_external_toc``), so the runner and the book can never disagree about it.
- A chapter's parameters, their defaults and their meanings come from its cell tagged
  ``parameters``, read with ``papermill.inspect_notebook`` (the meaning is the comment on the
  parameter's line). They are read when first asked for (a parameter given on the command
  line, the ``params`` listing), so a build that passes none does not import papermill.
- The study code a chapter runs is found with the standard library's ``modulefinder``,
  looking only in this repository: the ``halfopen`` modules its code cells import, and the
  modules those import. The runner re-executes a chapter when one of them changes, and never
  because the book machinery (this package) changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import tempfile
from dataclasses import dataclass
from functools import cache
from modulefinder import ModuleFinder
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
            except SyntaxError:  # IPython syntax (a magic): modulefinder can't read it
                continue
            parts.append(source)
    return "\n\n".join(parts)


@cache
def _study_modules(script: str, root: Path) -> tuple[Path, ...]:
    finder = ModuleFinder(path=[str(root)])  # only this repository: other imports are not followed
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "chapter.py"
        f.write_text(script, encoding="utf-8")
        finder.run_script(str(f))
    package = (root / STUDY_PACKAGE).resolve()
    files = set()
    for module in finder.modules.values():
        if module.__file__ and Path(module.__file__).resolve().is_relative_to(package):
            files.add(Path(module.__file__).resolve())
    return tuple(sorted(files))


def study_modules(path: Path, root: Path | None = None) -> list[Path]:
    """The files of the study package that the chapter's code imports, directly or not."""
    return list(_study_modules(code_cells(path), book_root(root).resolve()))


def study_code_hash(path: Path, root: Path | None = None) -> str:
    """Hash of the study code the chapter runs (names and bytes of those modules)."""
    h = hashlib.sha256()
    base = book_root(root).resolve()
    for f in study_modules(path, root):
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
