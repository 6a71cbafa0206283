"""The Data sources appendix is generated from the descriptor the loader uses."""

from __future__ import annotations

import json
import shutil

from halfopen import data, paths, sources, tables


def test_every_table_gets_a_rubric_and_a_numbered_table_of_columns():
    text = sources.columns_markdown()
    for name in data.table_names():
        res = data.resource(name)
        assert f"```{{rubric}} {tables.escape(res['path'])}" in text, name
        assert f"tbl-columns-{name.replace('_', '-')}" in text, name


def test_descriptor_text_is_escaped(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.data_dir(), folder)
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][0]["description"] = "<script>alert(1)</script> *bold*"
    (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    text = sources.columns_markdown(folder)
    assert "<script>" not in text
    assert "\\<script\\>" in text
