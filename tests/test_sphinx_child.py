"""The Sphinx child: set up early, it builds only when told to, from the sources as they are then.

Real Jupyter Book builds of a one-page book (a few seconds each); the book-sized cases (an
early child used by a rebuild, or stopped because the structure changed) run in
``test_runner.py`` and ``test_trust.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from halfopen.sphinx_child import Child


def _book(root: Path, text: str) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "_config.yml").write_text("title: Tiny\nexecute:\n  execute_notebooks: 'off'\n", encoding="utf-8")
    (src / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (src / "intro.md").write_text(f"# Tiny\n\n{text}\n", encoding="utf-8")
    return src


def _page(out: Path) -> str:
    return (out / "_build" / "html" / "intro.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_stopped_child_builds_nothing_and_says_nothing(tmp_path, capfd):
    src, out = _book(tmp_path, "first"), tmp_path / "out"
    child = Child.for_book(src, out, early=True)
    time.sleep(2)  # well into its set-up (or done with it): either way, stopping it shows nothing
    child.stop()
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    assert not (out / "_build" / "html" / "intro.html").exists()


@pytest.mark.slow
def test_an_early_child_builds_the_sources_as_they_are_when_told_to(tmp_path, capfd):
    src, out = _book(tmp_path, "first version"), tmp_path / "out"
    assert Child.for_book(src, out).build() == 0
    assert "first version" in _page(out)
    capfd.readouterr()

    child = Child.for_book(src, out, early=True)  # sets up from the built environment...
    time.sleep(3)
    _book(tmp_path, "second version")  # ...while the page changes, as staging changes it
    assert child.build() == 0
    page = _page(out)
    assert "second version" in page and "first version" not in page
    shown = capfd.readouterr().out
    assert shown.count("Running Jupyter-Book") == 1, shown
    assert shown.index("Running Jupyter-Book") < shown.index("build succeeded"), "set-up output comes first, held"


@pytest.mark.slow
def test_a_set_up_that_fails_is_reported_when_told_to_build(tmp_path, capfd):
    src, out = _book(tmp_path, "text"), tmp_path / "out"
    (src / "_toc.yml").unlink()
    child = Child.for_book(src, out, early=True)
    time.sleep(1)
    assert capfd.readouterr().out == "", "nothing is shown before the parent decides"
    assert child.build() != 0
    captured = capfd.readouterr()
    assert "Couldn't find a Table of Contents file" in captured.out + captured.err


@pytest.mark.slow
def test_an_early_childs_warm_up_changes_no_page(tmp_path):
    """The warm-up (halfopen.sphinx_ext.warm_up) only fills caches: the page is the very same."""
    src = _book(tmp_path, "Some text, and a [link](https://example.org).")
    plain, early = tmp_path / "plain", tmp_path / "early"
    assert Child.for_book(src, plain).build() == 0
    assert Child.for_book(src, early, early=True).build() == 0
    assert _page(early) == _page(plain)
