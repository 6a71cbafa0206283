"""Unit tests of halfopen.findings: the findings-at-a-glance table."""

from __future__ import annotations

import pandas as pd
import pytest

from halfopen import data, findings, paths, tables


@pytest.fixture(scope="module")
def table():
    return data.load("policy_findings")


def test_one_row_per_policy_of_table_2_in_its_order(table):
    framework = data.load("oecd_framework")
    policies = list(framework[framework["column"] == "policy"].sort_values("order")["item"])
    shown = findings.findings_table(table)
    links = list(shown["Policy area"])
    assert len(links) == len(policies), f"{len(links)} rows, Table 2 has {len(policies)} policies"
    for link, section in zip(links, table.sort_values("order")["section"]):
        label = findings.SECTION_CHAPTERS[section]
        assert link.endswith(f"<{label}>`"), f"row {section!r} links {link!r}, expected the chapter {label}"


def test_every_section_has_its_chapter_and_every_chapter_exists(table):
    assert set(table["section"]) == set(findings.SECTION_CHAPTERS)
    texts = " ".join(p.read_text(encoding="utf-8") for p in (paths.ROOT / "chapters").glob("*.ipynb"))
    for label in findings.SECTION_CHAPTERS.values():
        assert f"({label})=" in texts, f"no chapter declares the label {label}"


def test_paragraphs_read_as_the_book_writes_them():
    assert tables.paragraphs_text("6;28-30") == "¶6, ¶28–30"
    assert tables.paragraphs_text("13-16") == "¶13–16"
    with pytest.raises(ValueError, match="not a list of paragraphs"):
        tables.paragraphs_text("13 to 16")


def test_a_section_without_a_chapter_is_refused(table):
    extra = pd.concat([table, table.iloc[[0]].assign(order=99, section="new_policy")])
    with pytest.raises(KeyError, match="new_policy"):
        findings.findings_table(extra)


def test_link_text_cannot_break_the_markup():
    assert findings.chapter_link("Press", "ch-freedom-of-the-press") == "{ref}`Press <ch-freedom-of-the-press>`"
    with pytest.raises(ValueError):
        findings.chapter_link("a `b`", "ch-x")
    with pytest.raises(ValueError):
        findings.chapter_link("Press", "press")


def test_the_table_renders_with_links_and_escaped_text(table):
    md = tables.myst_table(findings.findings_table(table), "Cap", "tbl-x", myst_columns=["Policy area"], index=False)
    assert "{ref}`Stronger civil society <ch-civil-society>`" in md
    assert "HALFOPENMYSTCELL" not in md
    assert md.count("{ref}`") == len(table)


def test_one_card_per_policy_in_order_titled_by_its_chapter_link_and_with_its_paragraphs(table):
    cards = findings.findings_cards(table)
    blocks = cards.split("::::{grid-item-card} ")[1:]
    ordered = table.sort_values("order")
    assert len(blocks) == len(ordered), f"{len(blocks)} cards for {len(ordered)} policies"
    for block, (_, row) in zip(blocks, ordered.iterrows()):
        title = block.split("\n", 1)[0]
        assert title == findings.chapter_link(row["policy"], findings.SECTION_CHAPTERS[row["section"]]), title
        for _, name in findings.CARD_ROWS:
            assert f"**{name}:** " in block, f"the card of {row['policy']!r} has no {name!r}"
        footer = block.split(":::{card-footer}\n", 1)[1].split("\n", 1)[0]
        assert footer == tables.paragraphs_text(row["paragraphs"]), footer


def test_text_from_the_data_cannot_open_markup_in_a_card(table):
    hostile = table.copy()
    hostile.loc[hostile.index[0], "adopted"] = "*bold* :::{warning} <script>"
    cards = findings.findings_cards(hostile)
    assert r"\*bold\* \:\:\:\{warning\} \<script\>" in cards
