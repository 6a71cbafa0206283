"""Unit tests of halfopen.context: the tables, values and figures of chapters 01, 03 and 04."""

from __future__ import annotations

import pandas as pd
import pytest

from halfopen import context, data, tables


@pytest.fixture(scope="module")
def sample():
    return data.load("study_sample")


@pytest.fixture(scope="module")
def framework():
    return data.load("oecd_framework")


# --------------------------------------------------------------------------- markup cells


def test_myst_table_keeps_markup_and_escapes_the_rest():
    frame = pd.DataFrame({"Work": [tables.cite("meijer2012")], "Text": ["a *b* | c"]})
    md = tables.myst_table(frame, "Cap", "tbl-x", myst_columns=["Work"], index=False)
    assert "| {cite:t}`meijer2012` |" in md
    assert r"a \*b\* \| c" in md
    assert "HALFOPENMYSTCELL" not in md


def test_myst_table_with_many_cells_swaps_every_token_whole():
    frame = pd.DataFrame({"Link": [tables.ref(f"ch-x{i}") for i in range(12)]})
    md = tables.myst_table(frame, "Cap", "tbl-x", myst_columns=["Link"], index=False)
    for i in range(12):
        assert f"| {{ref}}`ch-x{i}` |" in md


def test_myst_table_refuses_a_pipe_and_an_unknown_column():
    frame = pd.DataFrame({"Link": ["a | b"]})
    with pytest.raises(ValueError, match="'|'"):
        tables.myst_table(frame, "Cap", "tbl-x", myst_columns=["Link"])
    with pytest.raises(KeyError, match="no column"):
        tables.myst_table(frame, "Cap", "tbl-x", myst_columns=["Other"])


def test_cite_and_ref_refuse_what_is_not_a_key_or_label():
    assert tables.cite("oecd2017", "p") == "{cite:p}`oecd2017`"
    with pytest.raises(ValueError):
        tables.cite("a`b")
    with pytest.raises(ValueError):
        tables.ref("tbl-table-2")


# --------------------------------------------------------------------------- ch. 01


def test_definitions_cite_works_of_the_bibliography():
    defs = data.load("open_government_definitions")
    table = context.definitions_table(defs)
    keys = context.bib_keys()
    assert set(defs["source"]) <= keys
    assert list(table["Work"]) == [tables.cite(k) for k in defs.sort_values("order")["source"]]
    assert list(table.columns)[-1] == "Paper"


def test_aims_link_to_chapters_and_an_unmapped_aim_is_an_error():
    aims = data.load("paper_aims")
    table = context.aims_table(aims)
    assert len(table) == len(aims)
    assert "{ref}`ch-case-selection`" in table.loc[0, "Answered in"]
    assert table.loc[2, "Answered in"] == "{ref}`ch-discussion`"
    extra = pd.concat([aims, pd.DataFrame({"order": [9], "aim": ["x"], "paragraph": [4]})])
    with pytest.raises(KeyError, match=r"aim\(s\) \[9\]"):
        context.aims_table(extra)


def test_aim_chapters_are_labels_of_the_toc_chapters(root):
    text = "".join(p.read_text(encoding="utf-8") for p in (root / "chapters").glob("*.ipynb"))
    for labels in context.AIM_CHAPTERS.values():
        for label in labels:
            assert f"({label})=" in text


# --------------------------------------------------------------------------- ch. 03


def test_table_2_has_the_three_columns_in_order(framework):
    table = context.table_2(framework)
    assert list(table.columns) == list(context.TABLE_2_COLUMNS.values())
    assert len(table) == framework.groupby("column").size().max()
    principles = [x for x in table["Principles of open government"] if x]
    assert principles == context.framework_items(framework, "principle")
    assert table.loc[0, "Impact of open government"].endswith("(short term)")
    impacts = [x for x in table["Impact of open government"] if x]
    assert len(impacts) == len(context.framework_items(framework, "impact"))
    assert impacts[-1].endswith("(longer term)")
    with pytest.raises(ValueError):
        context.framework_items(framework, "policies")


def test_total_counts_only_rows_that_give_a_number(sample):
    assert context.total_participants(sample) == int(sample["participants"].dropna().sum())
    assert context.rows_without_count(sample) == list(sample.loc[sample["participants"].isna(), "activity"])
    by = context.participants_by_method(sample)
    assert sum(by.values()) == context.total_participants(sample)
    assert "observation" not in by


def test_total_of_a_small_sample():
    tiny = pd.DataFrame(
        {
            "activity": ["a", "b", "c"],
            "kind": ["focus group", "observation", "interviews"],
            "participants": pd.array([3, None, 4], dtype="Int64"),
        }
    )
    assert context.total_participants(tiny) == 7
    assert context.rows_without_count(tiny) == ["b"]
    assert context.participants_by_method(tiny) == {"focus group": 3, "interviews": 4}
    assert context.count_of(tiny, "focus group") == 1


@pytest.mark.parametrize(
    "month, text", [("2017-10", "October 2017"), ("2017-12", "December 2017"), (None, None), (float("nan"), None)]
)
def test_month_text(month, text):
    assert context.month_text(month) == text


def test_month_text_refuses_a_bad_month():
    with pytest.raises(ValueError):
        context.month_text("2017-13")


def test_sample_table(sample):
    table = context.sample_table(sample)
    assert list(table.columns) == ["Who", "Method", "Participants", "Month", "Place", "Note"]
    assert table["Participants"].isna().sum() == len(context.rows_without_count(sample))
    assert str(table["Participants"].dtype) == "Int64"  # whole numbers, shown without ".0"
