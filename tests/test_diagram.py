"""Figure 1 (the diagram) and Table 3 (Matland's matrix): drawn and derived from data."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from halfopen import data, derive, diagram, theme


@pytest.fixture(scope="module")
def nodes() -> pd.DataFrame:
    return data.load("diagram_nodes")


@pytest.fixture(scope="module")
def edges() -> pd.DataFrame:
    return data.load("diagram_edges")


def test_the_argument_has_every_part_the_issue_names(nodes):
    kinds = set(nodes["kind"])
    assert {"driver", "explanation", "mechanism", "outcome", "adopted", "untouched"} <= kinds
    assert (nodes["kind"] == "driver").sum() == 2, "the presidential priority and the wish for standing"
    assert (nodes["kind"] == "explanation").sum() == 2, "bureaucratic obstruction and the implementation deficit"


def test_every_box_is_connected_and_the_outcome_is_reached_from_both_drivers(nodes, edges):
    linked = set(edges["source"]) | set(edges["target"])
    assert set(nodes["id"]) == linked, f"boxes without an arrow: {set(nodes['id']) - linked}"
    graph: dict[str, list[str]] = {}
    for e in edges.itertuples(index=False):
        graph.setdefault(e.source, []).append(e.target)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(graph.get(n, []))
        return seen

    outcome = nodes.loc[nodes["kind"] == "outcome", "id"].iloc[0]
    for driver in nodes.loc[nodes["kind"] == "driver", "id"]:
        reached = reach(driver)
        assert outcome in reached, f"{driver} does not lead to {outcome}"
        for kind in ("adopted", "untouched"):
            assert set(nodes.loc[nodes["kind"] == kind, "id"]) <= reached


def test_layout_sizes_boxes_to_their_text_and_rows_share_their_top(nodes):
    boxes = diagram.layout(nodes)
    assert len(boxes) == len(nodes)
    short = boxes[nodes.loc[nodes["detail"].isna(), "id"].iloc[0]]
    long = boxes[nodes.loc[nodes["detail"].fillna("").str.len().idxmax(), "id"]]
    assert long.height > short.height
    first_row = nodes[nodes["row"] == nodes["row"].min()]["id"]
    assert len({round(boxes[i].top, 9) for i in first_row}) == 1


def test_overlapping_boxes_are_refused_by_name(nodes):
    moved = nodes.copy()
    moved.loc[moved["id"] == "elites", ["column", "row"]] = moved.loc[
        moved["id"] == "politicised", ["column", "row"]
    ].values
    with pytest.raises(ValueError, match="'politicised' and 'elites' overlap|'elites' and 'politicised' overlap"):
        diagram.layout(moved)


def test_draw_is_deterministic_and_describes_every_arrow(nodes, edges):
    theme.apply()
    images = []
    for _ in range(2):
        fig = diagram.draw(nodes, edges)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        images.append(buf.getvalue())
    assert images[0] == images[1]
    lines = diagram.describe(nodes, edges)
    assert len(lines) == len(edges)
    assert "Presidential strategic priority → Open government policy (makes it a priority)" in lines


def test_paragraphs_cited_expands_ranges(nodes, edges):
    cited = diagram.paragraphs_cited(pd.DataFrame({"paragraphs": ["8-9;46"]}), pd.DataFrame({"paragraphs": ["33"]}))
    assert cited == [8, 9, 33, 46]
    assert set(range(33, 47)) <= set(diagram.paragraphs_cited(nodes, edges))


def test_table_3_places_open_government_in_the_symbolic_cell():
    table = derive.matland_table(data.load("matland_matrix"), data.load("policy_assessments"))
    assert list(table.index) == ["Low ambiguity", "High ambiguity"]
    assert list(table.columns) == ["Low conflict", "High conflict"]
    assert table.loc["Low ambiguity", "Low conflict"] == "Administrative Implementation"
    assert table.loc["Low ambiguity", "High conflict"] == "Political Implementation"
    assert table.loc["High ambiguity", "Low conflict"] == "Experimental Implementation"
    assert table.loc["High ambiguity", "High conflict"] == "Symbolic Implementation: Open Government in Central Asia"


def test_table_3_moves_a_policy_when_its_assessment_changes():
    assessed = pd.DataFrame({"policy": ["X"], "ambiguity": ["low"], "conflict": ["high"]})
    table = derive.matland_table(data.load("matland_matrix"), assessed)
    assert table.loc["Low ambiguity", "High conflict"] == "Political Implementation: X"
    assert table.loc["High ambiguity", "High conflict"] == "Symbolic Implementation"
