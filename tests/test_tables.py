"""Tables as the book shows them: links, the marked cell, and columns that say one thing."""

from __future__ import annotations

import pandas as pd

from halfopen import tables


def _frame():
    return pd.DataFrame({"What": ["a", "b", "c"], "Unit": ["NGOs"] * 3, "¶": [13, 13, 13], "Count": [1, 2, 3]})


def test_a_column_with_one_value_in_every_row_goes_and_the_source_line_says_it():
    text = tables.markdown_table(_frame(), "Caption", "tbl-x", source="The paper.", index=False)
    assert "| What | Count |" in text, text
    assert "*Source:* The paper. In every row: Unit: NGOs; ¶13." in text, text


def test_keep_keeps_a_constant_column_and_one_row_drops_nothing():
    kept = tables.markdown_table(_frame(), "C", "tbl-x", index=False, keep=("Unit",))
    assert "| What | Unit | Count |" in kept and "In every row: ¶13." in kept, kept
    assert "| What | Unit | ¶ | Count |" in tables.markdown_table(_frame(), "C", "tbl-x", index=False, keep=True)
    one = tables.markdown_table(_frame().head(1), "C", "tbl-x", index=False)
    assert "| What | Unit | ¶ | Count |" in one and "In every row" not in one, one


def test_a_linked_cell_is_a_link_and_its_text_stays_escaped():
    frame = pd.DataFrame({"File": ["a_b.csv", "c.csv"], "Rows": [1, 2]})
    text = tables.markdown_table(frame, "C", "tbl-x", index=False, links={"File": lambda row: f"data-{row[0][0]}"})
    assert "| [a\\_b\\.csv](<data-a>) | 1 |" in text, text


def test_the_marked_cell_alone_is_bold():
    frame = pd.DataFrame({"Low": ["x", "y"], "High": ["z", "Symbolic: here"]}, index=["Low", "High"])
    text = tables.markdown_table(
        frame, "C", "tbl-x", keep=True, marked=lambda row, col, value: value == "Symbolic: here"
    )
    assert text.count("**") == 2 and "**Symbolic\\: here**" in text, text


def test_a_written_number_leads_the_caption_and_sphinx_gets_no_caption_to_number():
    text = tables.markdown_table(_frame(), "Caption", "tbl-x", index=False, number="A1.2")
    head = text.split("| What", 1)[0]
    assert head.startswith("::::{container} written-caption\n:name: tbl-x\n"), head
    assert "*Table A1.2* Caption" in head and ":::{table}\n:align: left" in head, head
    assert ":name:" not in head.split(":::{table}")[1], "the table itself must carry no label"
    assert text.count("::::") == 2, text
    plain = tables.markdown_table(_frame(), "Caption", "tbl-x", index=False)
    assert plain.startswith(":::{table} Caption\n:name: tbl-x\n") and "container" not in plain, plain
    unnumbered = tables.markdown_table(_frame(), "Caption", "tbl-x", index=False, number="")
    assert "\nCaption\n" in unnumbered and "*Table" not in unnumbered, unnumbered


def test_rounded_rounds_half_up_and_keeps_empty_cells_empty():
    frame = pd.DataFrame({"x": [52.5, 12.49, float("nan")], "y": ["a", "b", "c"]})
    out = tables.rounded(frame, ["x"])
    assert list(out["x"].astype(object).where(out["x"].notna(), None)) == [53, 12, None]
    assert list(out["y"]) == ["a", "b", "c"]
