"""Staging and the two stamps that let a rebuild skip Sphinx or run it incrementally."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from halfopen import build


def _nb(path: Path, markdown_output: str) -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "source": ["tables.show(...)"],
                "outputs": [
                    {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": markdown_output}}
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


def _staged(tmp_path: Path, output: str) -> Path:
    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True, exist_ok=True)
    (src / "_toc.yml").write_text("root: intro\n", encoding="utf-8")
    _nb(src / "chapters" / "x.ipynb", output)
    return src


TABLE = ":::{{table}} Caption\n:name: tbl-x\n\n| a |\n|--|\n| {value} |\n:::\n"


def test_structure_stamp_ignores_values_but_not_labels(tmp_path):
    src = _staged(tmp_path, TABLE.format(value=22))
    first = build.structure_stamp(src)
    _nb(src / "chapters" / "x.ipynb", TABLE.format(value=41))
    assert build.structure_stamp(src) == first, "a new value in a table must not force a fresh Sphinx build"
    _nb(src / "chapters" / "x.ipynb", TABLE.format(value=41).replace("tbl-x", "tbl-y"))
    assert build.structure_stamp(src) != first, "a new label must force a fresh Sphinx build"
    _nb(src / "chapters" / "x.ipynb", TABLE.format(value=41) + TABLE.format(value=1).replace("tbl-x", "tbl-z"))
    assert build.structure_stamp(src) != first, "a new numbered table shifts the numbering: fresh build"


def test_structure_stamp_sees_configuration_and_the_set_of_files(tmp_path):
    src = _staged(tmp_path, TABLE.format(value=22))
    first = build.structure_stamp(src)
    (src / "_toc.yml").write_text("root: other\n", encoding="utf-8")
    assert build.structure_stamp(src) != first
    (src / "_toc.yml").write_text("root: intro\n", encoding="utf-8")
    (src / "chapters" / "new.md").write_text("# New\n", encoding="utf-8")
    assert build.structure_stamp(src) != first


def test_source_stamp_sees_every_byte(tmp_path):
    src = _staged(tmp_path, TABLE.format(value=22))
    first = build.source_stamp(src)
    _nb(src / "chapters" / "x.ipynb", TABLE.format(value=41))
    assert build.source_stamp(src) != first


def test_sync_rewrites_only_changed_files_and_removes_stale_ones(tmp_path):
    new, dest = tmp_path / "new", tmp_path / "dest"
    for folder in (new, dest):
        (folder / "a").mkdir(parents=True)
        (folder / "same.txt").write_text("same", encoding="utf-8")
    (new / "a" / "changed.txt").write_text("new", encoding="utf-8")
    (dest / "a" / "changed.txt").write_text("old", encoding="utf-8")
    (dest / "stale.txt").write_text("stale", encoding="utf-8")
    old_time = time.time() - 1000
    os.utime(dest / "same.txt", (old_time, old_time))
    build._sync(new, dest)
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert files == ["a/changed.txt", "same.txt"]
    assert (dest / "a" / "changed.txt").read_text(encoding="utf-8") == "new"
    assert abs((dest / "same.txt").stat().st_mtime - old_time) < 1, "an unchanged file was rewritten"


def test_installed_distributions_name_each_package_and_version():
    names = build.installed_distributions()
    assert f"pandas-{metadata.version('pandas')}.dist-info" in names
    assert f"Sphinx-{metadata.version('sphinx')}.dist-info".lower() in [n.lower() for n in names]


def test_the_build_command_does_not_import_pandas():
    """The build process only checks, stages and hashes: importing pandas (or the status
    page's module) would add 0.4 s to every build, the no-op one included."""
    code = "import sys, halfopen.__main__; print(sorted(m for m in ('pandas', 'halfopen.status') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_publish_leaves_out_only_the_images_no_page_shows(tmp_path):
    site = tmp_path / "site"
    (site / "_images").mkdir(parents=True)
    (site / "chapters").mkdir()
    (site / "_static").mkdir()
    for name in ["new.png", "old.png", "a figure.png", "linked.svg"]:
        (site / "_images" / name).write_bytes(b"image")
    (site / "_static" / "unreferenced.css").write_text("body {}", encoding="utf-8")
    (site / "index.html").write_text('<img src="_images/new.png" alt="">', encoding="utf-8")
    (site / "chapters" / "a.html").write_text(
        '<img src="../_images/a%20figure.png?v=1"><a href="../_images/linked.svg#x">svg</a>', encoding="utf-8"
    )
    build.publish(site, tmp_path / "published")
    published = tmp_path / "published"
    assert sorted(p.name for p in (published / "_images").iterdir()) == ["a figure.png", "linked.svg", "new.png"]
    assert (published / "_static" / "unreferenced.css").exists(), "only _images is filtered"
    assert (published / "chapters" / "a.html").read_bytes() == (site / "chapters" / "a.html").read_bytes()
    assert (site / "_images" / "old.png").exists(), "Sphinx's own folder is left as it was"
