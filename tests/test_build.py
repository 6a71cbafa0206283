"""Staging, the stamp that lets an unchanged book skip Sphinx, and publishing."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bs4 import BeautifulSoup

from halfopen_book import build


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


def test_source_stamp_sees_every_byte(tmp_path):
    src = _staged(tmp_path, TABLE.format(value=22))
    first = build.source_stamp(src)
    _nb(src / "chapters" / "x.ipynb", TABLE.format(value=41))
    assert build.source_stamp(src) != first


def test_staging_again_rewrites_only_changed_files_and_removes_stale_ones(tmp_path, monkeypatch):
    """A second stage leaves an unchanged file's modification time alone (so an incremental
    Sphinx run re-reads only the pages that changed), rewrites a changed one and removes a
    file the book no longer has."""
    monkeypatch.delenv(build.SITE_URL_ENV, raising=False)
    monkeypatch.delenv(build.REPOSITORY_ENV, raising=False)
    root, build_dir = tmp_path / "book", tmp_path / "build"
    (root / "chapters" / "figures").mkdir(parents=True)
    (root / "_config.yml").write_text("title: A book\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (root / "intro.md").write_text("# Same\n", encoding="utf-8")
    (root / "chapters" / "figures" / "changed.md").write_text("# Old\n", encoding="utf-8")
    (root / "chapters" / "stale.md").write_text("# Stale\n", encoding="utf-8")
    src = build.stage(build_dir, root)
    old_time = time.time() - 1000
    os.utime(src / "intro.md", (old_time, old_time))
    (root / "chapters" / "figures" / "changed.md").write_text("# New\n", encoding="utf-8")
    (root / "chapters" / "stale.md").unlink()
    assert build.stage(build_dir, root) == src
    files = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    assert "chapters/stale.md" not in files and "chapters/figures/changed.md" in files, files
    assert (src / "chapters" / "figures" / "changed.md").read_text(encoding="utf-8") == "# New\n"
    assert abs((src / "intro.md").stat().st_mtime - old_time) < 1, "an unchanged file was rewritten"
    assert not (build_dir / "staging" / "src.new").exists(), "the scratch copy is left behind"


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


def test_publish_drops_a_repeated_script_and_nothing_else(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    page = (
        '<head><script>const THEBE_JS_URL = "x"</script><script src="a.js"></script>'
        '<script>const THEBE_JS_URL = "x"</script></head><body><script src="a.js" defer></script></body>'
    )
    (site / "index.html").write_text(page, encoding="utf-8")
    build.publish(site, tmp_path / "published")
    out = BeautifulSoup((tmp_path / "published" / "index.html").read_text(encoding="utf-8"), "html.parser")
    scripts = [(s.get("src"), s.has_attr("defer"), s.string) for s in out.find_all("script")]
    assert scripts == [(None, False, 'const THEBE_JS_URL = "x"'), ("a.js", False, None), ("a.js", True, None)]


def test_the_tables_folder_is_in_the_configuration_once_it_is_initialised(tmp_path):
    """datafiles sets ``html_extra_path`` in ``config-inited``, where Sphinx documents that the
    configuration is set: a listener after it (as Sphinx's own check of the folders is) sees the
    staged tables, and the site gets them."""
    import subprocess
    import sys

    from halfopen import paths

    src = tmp_path / "src"
    src.mkdir()
    (src / "index.rst").write_text("Tables\n======\n", encoding="utf-8")
    (src / "conf.py").write_text(
        "import json\n"
        "from pathlib import Path\n"
        "extensions = ['halfopen_book.datafiles']\n"
        "def setup(app):\n"
        "    def seen(app, config):\n"
        "        Path(__file__).with_name('seen.json').write_text(json.dumps(list(config.html_extra_path)))\n"
        "    app.connect('config-inited', seen, priority=900)\n",
        encoding="utf-8",
    )
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(doctrees), str(src), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = json.loads((src / "seen.json").read_text(encoding="utf-8"))
    assert seen == [str(tmp_path / "halfopen-extra")], seen
    table = paths.data_dir() / "freedom_house.csv"
    assert (out / "data" / "freedom_house.csv").read_bytes() == table.read_bytes()
