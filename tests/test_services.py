"""Unit tests of halfopen.services: public services, anti-corruption and the conclusion."""

from __future__ import annotations

import pandas as pd
import pytest

from halfopen import context, data, tables
from halfopen import services as sv


@pytest.fixture(scope="module")
def aims():
    return data.load("paper_aims")


# --------------------------------------------------------------------------- stated counts


def test_section_keys_in_table_order(figures):
    keys = sv.section_keys(figures, sv.PUBLIC_SERVICES)
    expected = list(figures.loc[figures["section"] == sv.PUBLIC_SERVICES, "key"])
    assert keys == expected and keys


def test_section_keys_empty_for_a_section_without_counts(figures):
    assert sv.section_keys(figures, sv.ANTI_CORRUPTION) == list(
        figures.loc[figures["section"] == sv.ANTI_CORRUPTION, "key"]
    )


def test_section_keys_refuses_unknown_section(figures):
    with pytest.raises(ValueError, match="unknown section"):
        sv.section_keys(figures, "public_transport")


def test_stated_counts_keep_the_qualifier():
    frame = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "section": [sv.PUBLIC_SERVICES, sv.PUBLIC_SERVICES, "case_selection"],
            "measure": ["A", "B", "C"],
            "value": [700, 12, 5],
            "unit": ["services", "centres", "x"],
            "qualifier": ["more than", "exactly", "exactly"],
            "of_total": [pd.NA, pd.NA, pd.NA],
            "as_of": ["now", "now", "now"],
            "paragraph": [28, 28, 7],
        }
    )
    assert sv.stated_counts(frame, sv.PUBLIC_SERVICES) == {"a": "more than 700", "b": "12"}


def test_section_figures_table_shows_every_count_as_stated(figures):
    table = sv.section_figures_table(figures, sv.PUBLIC_SERVICES)
    rows = figures[figures["section"] == sv.PUBLIC_SERVICES]
    assert len(table) == len(rows)
    for shown, (value, qualifier) in zip(table["Count as stated"], zip(rows["value"], rows["qualifier"])):
        assert f"{int(value):,}" in shown
        assert shown.startswith("more than") == (qualifier == "more than")


def test_section_figures_table_refuses_a_section_without_counts(figures):
    empty = figures.iloc[0:0]
    with pytest.raises(ValueError, match="no counts"):
        sv.section_figures_table(empty, sv.PUBLIC_SERVICES)


# --------------------------------------------------------------------------- dated events


def test_years_apart():
    a, b = pd.Series({"year": 2012}), pd.Series({"year": 2016})
    assert sv.years_apart(a, b) == 4
    with pytest.raises(ValueError):
        sv.years_apart(b, a)


@pytest.mark.parametrize(
    "n, word", [(0, "zero"), (1, "one"), (3, "three"), (12, "twelve"), (13, "13"), (1500, "1,500")]
)
def test_number_word(n, word):
    assert sv.number_word(n) == word


# --------------------------------------------------------------------------- the conclusion


def test_conclusion_aims_table_answers_every_aim_with_links(aims):
    table = sv.conclusion_aims_table(aims)
    assert list(table["Aim"]) == sorted(int(o) for o in aims["order"])
    assert all(table["The paper's answer (our summary)"].str.len() > 0)
    for cell, order in zip(table["Where in this book"], table["Aim"]):
        for label in context.AIM_CHAPTERS[order]:
            assert f"{{ref}}`{label}`" in cell
    assert "|" not in "".join(table["The paper's answer (our summary)"])


def test_conclusion_aims_table_refuses_an_aim_without_answer(aims):
    extra = pd.concat([aims, pd.DataFrame({"order": [9], "aim": ["New aim"], "paragraph": [4]})])
    with pytest.raises(KeyError, match="answer"):
        sv.conclusion_aims_table(extra)
    with pytest.raises(KeyError, match="chapter"):
        sv.conclusion_aims_table(extra, answers={**sv.AIM_ANSWERS, 9: ("x", "¶4")})


def test_conclusion_aims_table_renders_links_unescaped(aims):
    md = tables.myst_table(
        sv.conclusion_aims_table(aims), "Aims", "tbl-test-aims", myst_columns=["Where in this book"], index=False
    )
    assert "{ref}`ch-discussion`" in md
    assert md.count("\n| ") == len(aims) + 2  # header, rule, one row per aim
