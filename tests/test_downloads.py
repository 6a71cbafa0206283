"""The ``.md`` download of each notebook chapter: MyST Markdown that reads back as the chapter."""

from __future__ import annotations

import json

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from halfopen_book.chapters import chapters
from halfopen_book.sphinx_ext import notebook_to_myst


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_markdown_version_reads_back_as_the_same_cells(chapter):
    nb = json.loads(chapter.path.read_text(encoding="utf-8"))
    back = read_myst_markdown_notebook(notebook_to_myst(nb))
    assert back.metadata["kernelspec"]["name"] == "python3"
    want = [(c["cell_type"], "".join(c["source"]).strip("\n")) for c in nb["cells"]]
    got = [(c["cell_type"], "".join(c["source"]).strip("\n")) for c in back.cells]
    assert got == want
    tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"] if c["cell_type"] == "code"]
    got_tags = [c.get("metadata", {}).get("tags", []) for c in back.cells if c["cell_type"] == "code"]
    assert got_tags == tags, "the parameters tag must survive (papermill needs it)"


def test_the_builds_hide_input_tag_is_dropped_but_others_kept():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# A"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["text"]},
            {"cell_type": "code", "metadata": {"tags": ["parameters", "hide-input"]}, "source": ["x = 1"]},
        ]
    }
    nb.update(metadata={}, nbformat=4, nbformat_minor=4)
    text = notebook_to_myst(nb)
    assert "+++" in text, "two markdown cells in a row must stay two cells"
    assert "parameters" in text and "hide-input" not in text
    back = read_myst_markdown_notebook(text)
    assert [c.get("metadata", {}).get("tags") for c in back.cells] == [None, None, ["parameters"]]
