"""Every chapter of ``_toc.yml`` executes under papermill, one test each.

The chapters are executed once per session by the book's runner (papermill, in parallel);
each test reports its own chapter, and a failing cell fails it with the chapter, the cell
and the error's last lines.
"""

from __future__ import annotations

import json

import pytest

from halfopen_book import chapters, run

CHAPTERS = [c.name for c in run.chapters()]


def test_the_toc_lists_every_notebook_in_chapters(root):
    on_disk = sorted(p.stem for p in (root / "chapters").glob("*.ipynb"))
    assert sorted(CHAPTERS) == on_disk


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes(chapter, chapter_results, session_build_dir):
    result = chapter_results[chapter]
    if result.status == "failed":
        pytest.fail(f"chapter {chapter} failed at {result.error}")
    nb = json.loads((session_build_dir / "executed" / f"{chapter}.ipynb").read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"chapter {chapter} has error outputs"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_committed_without_outputs(chapter, root):
    nb = json.loads((root / "chapters" / f"{chapter}.ipynb").read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{chapter}: cells {dirty} carry outputs; strip them (nbstripout)"


def test_a_failing_cell_names_the_chapter_and_cell(tmp_path):
    """The runner's failure report can fail: a raising cell is named with its error."""
    import shutil

    from halfopen import paths

    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    src = paths.CHAPTERS_DIR / "02_open_government_in_central_asia.ipynb"
    nb = json.loads(src.read_text())
    nb["cells"].insert(
        3,
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["raise RuntimeError('deliberate failure for the test')"],
        },
    )
    (book / "chapters" / src.name).write_text(json.dumps(nb))
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/02_open_government_in_central_asia\n"
    )
    shutil.copy(paths.ROOT / "requirements.txt", book / "requirements.txt")
    [result] = run.run(build_dir=tmp_path / "build", root=book, progress=False)
    assert result.status == "failed"
    assert "cell" in result.error and "RuntimeError" in result.error and "deliberate failure" in result.error


def test_the_updates_three_chapters_take_the_same_parameters(root):
    """Chapters 13 to 15 are one study over three pages: the same parameters, defaults and meanings."""
    first, second, third = (
        chapters.declared_parameters(root / "chapters" / f"{n}.ipynb")
        for n in ("13_half_open_measured", "14_half_open_compared", "15_half_open_specifications")
    )
    assert first == second == third, f"chapter 13 declares {first}, chapter 14 {second}, chapter 15 {third}"
