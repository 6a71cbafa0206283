"""Tables as the book shows them: links, the marked cell, and columns that say one thing."""

from __future__ import annotations

import pandas as pd
import pytest

from halfopen import tables


def _frame():
    return pd.DataFrame({"What": ["a", "b", "c"], "Unit": ["NGOs"] * 3, "¶": [13, 13, 13], "Count": [1, 2, 3]})


def test_a_constant_column_goes_only_when_the_source_or_a_sentence_says_its_value():
    text = tables.markdown_table(_frame(), "Caption", "tbl-x", source="The paper (¶13).", index=False)
    assert "| What | Unit | Count |" in text, text  # ¶13 is in the source; the unit stays a column
    said = tables.markdown_table(_frame(), "C", "tbl-x", source="The paper.", same={"Unit": "All in {}."}, index=False)
    assert "| What | ¶ | Count |" in said and said.rstrip().endswith("*Source:* The paper. All in NGOs\\."), said
    by_function = tables.markdown_table(
        _frame(), "C", "tbl-x", same={"Unit": lambda u: f"All {u.lower()}."}, index=False
    )
    assert by_function.rstrip().endswith("All ngos\\."), by_function
    assert "In every row" not in text + said


def test_keep_keeps_every_column_and_one_row_or_differing_values_drop_nothing():
    assert "| What | Unit | ¶ | Count |" in tables.markdown_table(
        _frame(), "C", "tbl-x", source="(¶13)", same={"Unit": "x {}"}, index=False, keep=True
    )
    one = tables.markdown_table(_frame().head(1), "C", "tbl-x", source="(¶13)", same={"Unit": "x {}"}, index=False)
    assert "| What | Unit | ¶ | Count |" in one and "x NGOs" not in one, one
    assert "| What | Unit | ¶ | Count |" in tables.markdown_table(_frame(), "C", "tbl-x", source="(¶1)", index=False)


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


def test_markdown_table_escapes_text_from_data():
    frame = pd.DataFrame({"Name": ["<script>alert(1)</script>", "a|b *c*"], "N": [1, 2]})
    md = tables.markdown_table(frame, "Caption", "tbl-x", index=False)
    assert "<script>" not in md
    assert r"\<script\>" in md
    assert r"a\|b \*c\*" in md


def test_join_words():
    assert tables.join_words([]) == "none"
    assert tables.join_words(["a"]) == "a"
    assert tables.join_words(["a", "b", "c"]) == "a, b and c"


def test_rounded_rounds_half_up_and_keeps_empty_cells_empty():
    frame = pd.DataFrame({"x": [52.5, 12.49, float("nan")], "y": ["a", "b", "c"]})
    out = tables.rounded(frame, ["x"])
    assert list(out["x"].astype(object).where(out["x"].notna(), None)) == [53, 12, None]
    assert list(out["y"]) == ["a", "b", "c"]


def test_a_negative_number_reads_with_a_true_minus_sign_and_text_keeps_its_hyphens():
    frame = pd.DataFrame({"Measure": ["WGI", "years"], "Value": [-0.084, 0.5], "Note": ["2012-2019", "x"]})
    md = tables.markdown_table(frame, "Cap", "tbl-x", formats={"Value": "{:.3f}"}, index=False)
    assert "| WGI | \u22120\\.084 |" in md, md
    assert "2012\\-2019" in md  # text from data is not a number: its hyphen stays
    assert tables.minus("-0.5 and -3 in 2012–2019") == "\u22120.5 and \u22123 in 2012–2019"


def test_a_computed_table_carries_its_csv_in_full_precision():
    from urllib.parse import unquote

    frame = pd.DataFrame({"Country": ["Kazakhstan"], "Change": [-0.08412]}).set_index("Country")
    md = tables.markdown_table(frame, "C", "tbl-x", formats={"Change": "{:+.2f}"}, download="x-change.csv")
    link = md[md.index("<a ") :]
    assert 'download="x-change.csv"' in link and "Download as CSV</a>" in link, link
    data = unquote(link.split("charset=utf-8,", 1)[1].split('"', 1)[0])
    assert data == "Country,Change\nKazakhstan,-0.08412\n", data
    with pytest.raises(ValueError, match="not a CSV file name"):
        tables.markdown_table(frame, "C", "tbl-x", download="../x.csv")
