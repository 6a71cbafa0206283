"""Figure 1 (the diagram) and Table 3 (Matland's matrix): drawn and derived from data."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
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
    assert (nodes["kind"] == "driver").sum() == 3, (
        "domestic unrest, the presidential priority and the wish for standing"
    )
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


def _pars(spec: str) -> set[int]:
    return set(diagram.paragraphs_cited(pd.DataFrame({"paragraphs": [spec]}), pd.DataFrame({"paragraphs": []})))


def _node(nodes: pd.DataFrame, node_id: str) -> pd.Series:
    rows = nodes[nodes["id"] == node_id]
    assert len(rows) == 1, f"diagram_nodes.csv has no box '{node_id}'"
    return rows.iloc[0]


def _edge(edges: pd.DataFrame, source: str, target: str) -> pd.Series:
    rows = edges[(edges["source"] == source) & (edges["target"] == target)]
    assert len(rows) == 1, f"diagram_edges.csv has no arrow {source} -> {target}"
    return rows.iloc[0]


@pytest.mark.parametrize(
    "node_id, kind, says, paragraphs",
    [
        # ¶34's first factor of obstruction
        ("trust", "mechanism", ["Low political trust", "high administrative power"], {34}),
        # the domestic driver: unrest, social media, fear of colored revolutions (¶6), alarm (¶46)
        ("domestic", "driver", ["Unrest", "social media", "colored"], {6, 46}),
        # the local coalitions decide under high ambiguity and conflict (¶43), who they are (¶39, ¶43)
        ("coalitions", "mechanism", ["Local coalitions decide", "akims, bureaucrats and business"], {39, 43}),
        ("symbolic", "mechanism", ["Symbolic implementation", "no effort"], {42}),
    ],
)
def test_the_boxes_issue_12_asked_for_say_what_their_paragraphs_say(nodes, node_id, kind, says, paragraphs):
    node = _node(nodes, node_id)
    assert node["kind"] == kind, f"{node_id}: kind {node['kind']!r}, expected {kind!r}"
    text = f"{node['label']} {node['detail']}"
    for phrase in says:
        assert phrase in text, f"{node_id}: {phrase!r} not in {text!r}"
    assert paragraphs <= _pars(node["paragraphs"]), f"{node_id}: rests on {node['paragraphs']}, needs {paragraphs}"


@pytest.mark.parametrize(
    "source, target, paragraphs, relation",
    [
        ("domestic", "policy", {6}, "leads_to"),  # leaders harness agitation through open government
        ("domestic", "obstruction", {46}, "leads_to"),  # unrest and fear of revolution alarm bureaucrats
        # ¶34-35: the three factors that explain how officials subvert the priority point into obstruction
        ("trust", "obstruction", {34}, "leads_to"),
        ("politicised", "obstruction", {35}, "leads_to"),
        ("opacity", "obstruction", {35}, "leads_to"),
        # obstruction shields the elites whose interests openness would hurt (¶36), and so half-open (¶46)
        ("obstruction", "elites", {36}, "leads_to"),
        ("elites", "half_open", {46}, "leads_to"),
        ("standing", "symbolic", {42, 44}, "leads_to"),  # claim to have tried; international approbation
        ("deficit", "coalitions", {43}, "leads_to"),
        ("deficit", "symbolic", {42}, "leads_to"),
        # Matland's conflict axis: clear losers (¶41), press freedom could expose them (¶42)
        ("elites", "symbolic", {41, 42}, "leads_to"),
        ("coalitions", "half_open", {43}, "leads_to"),
        # akims, bureaucrats and business appear among both: overlapping groups, not the same people
        ("elites", "coalitions", {36, 39, 43}, "overlapping_actors"),
    ],
)
def test_the_arrows_issue_12_asked_for_rest_on_their_paragraphs(edges, source, target, paragraphs, relation):
    edge = _edge(edges, source, target)
    got = edge["relation"] if isinstance(edge["relation"], str) and edge["relation"] else "leads_to"
    assert got == relation, f"{source} -> {target}: relation {got!r}, expected {relation!r}"
    assert paragraphs <= _pars(edge["paragraphs"]), f"{source} -> {target}: rests on {edge['paragraphs']}"


def test_the_factors_of_obstruction_explain_it_and_do_not_follow_from_it(nodes, edges):
    # ¶34-35 give three factors that explain how officials subvert the priority: arrows run from
    # them into obstruction, never out of obstruction into them; obstruction then leads on to
    # half-open government (abstract, ¶46)
    pairs = set(zip(edges["source"], edges["target"]))
    for factor in ("trust", "politicised", "opacity"):
        assert (factor, "obstruction") in pairs
        assert ("obstruction", factor) not in pairs
    graph: dict[str, set[str]] = {}
    for source, target in pairs:
        graph.setdefault(source, set()).add(target)
    seen, todo = set(), ["obstruction"]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(graph.get(n, ()))
    assert "half_open" in seen


def test_symbolic_implementation_does_not_lead_to_the_local_coalitions(edges):
    # Matland (¶43): under high ambiguity and high conflict local coalitional strength decides the
    # outcome; it is not a consequence of symbolic implementation.
    pairs = set(zip(edges["source"], edges["target"]))
    assert ("symbolic", "coalitions") not in pairs and ("coalitions", "symbolic") not in pairs


def test_no_arrow_runs_through_a_third_box(nodes, edges):
    assert diagram.crossings(nodes, edges) == []


def test_an_arrow_through_a_box_is_reported_by_name(nodes, edges):
    moved = nodes.copy()
    # put the implementation deficit right under the wish for standing: their arrow to symbolic
    # implementation would then run through it
    moved.loc[moved["id"] == "deficit", "column"] = moved.loc[moved["id"] == "standing", "column"].iloc[0]
    assert ("standing", "symbolic", "deficit") in diagram.crossings(moved, edges)


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
    assert "Political, official and business elites ↔ Local coalitions decide (overlapping groups)" in lines


def test_figure_1_is_drawn_for_the_page(nodes, edges):
    """At most a little wider than the book's figures, so a phone shows it at half its size or more,
    and no text smaller than theirs; every arrow's label clear of the boxes."""
    theme.apply()
    fig = diagram.draw(nodes, edges)
    assert fig.get_figwidth() <= theme.WIDTH + 0.25, fig.get_figwidth()
    size, text = theme.smallest_text(fig)
    assert size >= theme.MIN_TEXT, f"{text!r} is {size} pt"
    boxes = list(diagram.layout(nodes).values())
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().replace("\n", " ") in set(edges["label"].dropna())]
    assert len(labels) == edges["label"].notna().sum()
    for t in labels:
        x, y = t.get_position()
        room = diagram.label_box(x, y, t.get_text())
        hit = [b.id for b in boxes if diagram.overlaps(room, b)]
        assert not hit, f"the label {t.get_text()!r} covers {hit}"
    plt.close(fig)


def test_the_geometry_on_boxes_worked_out_by_hand():
    """Where arrows meet boxes, the room a label takes, and what overlaps or is crossed."""
    a = diagram.Box("a", 0.0, 0.0, 2.0, 1.0)  # x from -1 to 1, y from -0.5 to 0.5
    below = diagram.Box("below", 1.0, -3.0, 2.0, 1.0)
    beside = diagram.Box("beside", 4.0, 0.2, 2.0, 1.0)
    far_below = diagram.Box("far", 10.0, -3.0, 2.0, 1.0)
    # through the bottom or top edge, a quarter of the way towards the other box, never near a corner
    assert diagram.anchor(a, below) == pytest.approx((0.25, -0.5))
    assert diagram.anchor(below, a) == pytest.approx((0.75, -2.5))
    assert diagram.anchor(a, far_below) == pytest.approx((0.35, -0.5))
    assert diagram.anchor(a, beside) == pytest.approx((1.0, 0.05))  # through the side facing it
    room = diagram.label_box(0.0, 0.0, "ab\ncde")
    assert (room.width, room.height) == pytest.approx((0.075 * 3 + 0.12, 0.1 + 0.2 * 2))
    assert diagram.overlaps(a, diagram.Box("in", 1.4, 0.0, 1.0, 1.0))
    assert not diagram.overlaps(a, diagram.Box("touching", 1.5, 0.0, 1.0, 1.0))
    assert diagram.segment_hits_box((-5.0, 0.0), (5.0, 0.0), a, 0.0)
    assert diagram.segment_hits_box((0.0, -5.0), (0.0, 5.0), a, 0.0)  # a vertical arrow
    assert not diagram.segment_hits_box((-5.0, 1.0), (5.0, 1.0), a, 0.0)  # passes above it
    assert diagram.segment_hits_box((-5.0, 1.0), (5.0, 1.0), a, 0.6)  # but within 0.6 of it
    assert not diagram.segment_hits_box((-5.0, 0.0), (-2.0, 0.0), a, 0.0)  # stops short of it


def _ends(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[tuple[str, str, tuple, tuple]]:
    boxes = diagram.layout(nodes)
    return [
        (
            e.source,
            e.target,
            diagram.anchor(boxes[e.source], boxes[e.target]),
            diagram.anchor(boxes[e.target], boxes[e.source]),
        )
        for e in edges.itertuples(index=False)
    ]


def test_arrows_meet_a_box_at_distinct_points(nodes, edges):
    """No two arrowheads land on one point of a box, and no arrow leaves a box where another
    arrives, so a reader can tell which arrows feed a box (arrows may leave one point together)."""
    ends = _ends(nodes, edges)
    for box in nodes["id"]:
        arriving = [(f"{s}->{t}", end) for s, t, _, end in ends if t == box]
        leaving = [(f"{s}->{t}", start) for s, t, start, _ in ends if s == box]
        pairs = [(a, b) for i, a in enumerate(arriving) for b in arriving[i + 1 :]]
        pairs += [(a, b) for a in arriving for b in leaving]
        for (name_a, p), (name_b, q) in pairs:
            assert abs(p[0] - q[0]) + abs(p[1] - q[1]) >= 0.1, f"{name_a} and {name_b} meet '{box}' at one point"


def test_arrows_cross_each_other_at_most_once(nodes, edges):
    """One crossing cannot be avoided: the elites and the deficit both lead to the coalitions and
    to symbolic implementation, and these three all lead to half-open government; every other pair
    of arrows stays apart."""

    def side(a, b, c):
        return (c[1] - a[1]) * (b[0] - a[0]) - (b[1] - a[1]) * (c[0] - a[0])

    ends = _ends(nodes, edges)
    crossing = []
    for i, (s1, t1, p1, p2) in enumerate(ends):
        for s2, t2, q1, q2 in ends[i + 1 :]:
            if {s1, t1} & {s2, t2}:
                continue
            if side(q1, q2, p1) * side(q1, q2, p2) < 0 and side(p1, p2, q1) * side(p1, p2, q2) < 0:
                crossing.append(f"{s1}->{t1} x {s2}->{t2}")
    assert len(crossing) <= 1, crossing


def test_no_label_covers_another_arrow_or_leaves_the_figure(nodes, edges):
    theme.apply()
    fig = diagram.draw(nodes, edges)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    ends = {(s, t): (p, q) for s, t, p, q in _ends(nodes, edges)}
    for row in edges.dropna(subset=["label"]).itertuples(index=False):
        text = next(t for t in ax.texts if t.get_text().replace("\n", " ") == row.label)
        x, y = text.get_position()
        room = diagram.label_box(x, y, text.get_text())
        assert x0 <= room.x - room.width / 2 and room.x + room.width / 2 <= x1, f"{row.label!r} is cut off"
        for (s, t), (p, q) in ends.items():
            if (s, t) != (row.source, row.target):
                assert not diagram.segment_hits_box(p, q, room, 0.0), f"{row.label!r} covers {s} -> {t}"
    plt.close(fig)


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
