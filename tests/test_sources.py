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


def test_every_table_has_its_own_section_with_its_source_and_a_csv_download():
    text = sources.columns_markdown()
    for name in data.table_names():
        path = data.resource(name)["path"]
        assert f":name: {sources.anchor(name)}\n" in text, name
        assert f'<a href="../data/{path}" download="{path}">' in text, name
    assert "<https://" not in text.replace("](<https://", ""), "a source's address is shown as raw text, not a link"


def test_the_overview_fits_a_page_and_links_each_table_to_its_section():
    overview = sources.overview()
    assert list(overview.columns) == ["Table", "What it holds", "Rows", "In the paper"]
    text = tables.markdown_table(overview, "C", "tbl-x", index=False, links=sources.overview_links())
    assert "[freedom\\_house\\.csv](<data-freedom-house>)" in text


def test_every_data_link_of_the_chapters_goes_to_its_tables_section():
    import re

    bad = []
    for nb in sorted(paths.CHAPTERS_DIR.glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            for text, target in re.findall(r"\[`data/([a-z0-9_]+)\.csv`\]\(([^)]*)\)", source):
                if target != sources.anchor(text):
                    bad.append(f"{nb.name}: data/{text}.csv links to {target!r}, not {sources.anchor(text)!r}")
                if text not in data.table_names():
                    bad.append(f"{nb.name}: data/{text}.csv is not a table of the book")
    assert not bad, "\n".join(bad)


def test_the_tables_are_staged_for_the_site_without_touching_data(tmp_path):
    from halfopen_book import datafiles

    before = {p.name: p.stat().st_mtime_ns for p in paths.data_dir().iterdir()}
    copied = datafiles.stage_tables(paths.data_dir(), tmp_path / "extra")
    names = {p.name for p in copied}
    assert {data.resource(n)["path"] for n in data.table_names()} <= names
    assert "datapackage.json" in names
    assert all((tmp_path / "extra" / "data" / n).read_bytes() == (paths.data_dir() / n).read_bytes() for n in names)
    assert before == {p.name: p.stat().st_mtime_ns for p in paths.data_dir().iterdir()}


def test_every_tables_section_says_when_it_was_written():
    text = sources.columns_markdown()
    for name in data.table_names():
        created = data.resource(name)["created"]
        assert f"*Written:* {tables.escape(created)} (first committed" in text, name


def test_a_table_without_a_date_is_said_to_have_none(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.data_dir(), folder)
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    del desc["resources"][0]["created"]
    (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    assert "*Written:* not recorded." in sources.columns_markdown(folder)
