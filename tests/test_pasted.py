"""halfopen_book.pasted: which pages paste a glued value from another notebook."""

from __future__ import annotations

import subprocess
import sys

from halfopen_book import pasted


def test_pasted_from_finds_roles_and_directives_that_name_another_document():
    text = (
        "x {glue:text}`/chapters/15_half_open_specifications.ipynb::result:s` y {glue:text}`local`"
        " {glue}`other.ipynb::key` and\n```{glue:figure} ../a.ipynb::fig\n```"
    )
    assert pasted.pasted_from(text) == ["/chapters/15_half_open_specifications.ipynb", "other.ipynb", "../a.ipynb"]


def test_a_local_glue_is_not_a_paste():
    assert pasted.pasted_from("{glue:text}`n_specs` and {glue:figure} fig_spec_curve") == []


def test_the_books_pages_that_paste_name_chapter_15(root):
    for name in ("intro.md", "chapters/00_findings_at_a_glance.ipynb"):
        sources = pasted.pasted_from((root / name).read_text(encoding="utf-8"))
        assert sources and set(sources) == {"/chapters/15_half_open_specifications.ipynb"}, name


def _notebook(value: str) -> str:
    """A notebook (already executed) that glues ``value`` as text under the key ``result``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("glue('result', value, display=False)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": repr(value)},
            metadata={"scrapbook": {"name": "result", "mime_prefix": ""}},
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Source"), cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def test_a_page_that_pastes_is_written_again_when_only_its_source_notebook_changes(tmp_path):
    """A real, incremental Sphinx build of two pages (sphinx-build, one process per build, as the
    book's build runs it): paster.md pastes from source.ipynb. After the notebook's glued value
    changes, and nothing else, the rebuilt paster.html shows the new value. (A page with a
    toctree is written again anyway; this one has none, like the findings page.)"""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['myst_nb', 'halfopen_book.pasted']\nnb_execution_mode = 'off'\nexclude_patterns = ['_build']\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text("# Landing\n\n```{toctree}\nsource\npaster\n```\n", encoding="utf-8")
    (src / "paster.md").write_text("# Findings\n\nThe result: {glue:text}`/source.ipynb::result:s`\n", encoding="utf-8")

    def build(value: str) -> str:
        (src / "source.ipynb").write_text(_notebook(value), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        return (out / "paster.html").read_text(encoding="utf-8")

    assert "first value" in build("first value")
    page = build("second value")
    assert "second value" in page and "first value" not in page
