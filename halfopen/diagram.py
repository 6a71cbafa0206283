"""Figure 1, the half-open government diagram, drawn from two declarative tables.

The paper's own Figure 1 is an image under "all rights reserved", so the book designs its
own from the text (¶5-6, ¶8-9, ¶33-46). The argument lives in data, not in code:

- ``diagram_nodes.csv``: one row per box, with its kind (driver, policy, explanation,
  mechanism, outcome, adopted, untouched), its place on a grid (``column`` left to right,
  ``row`` top to bottom, the row giving the box's top edge; fractions allowed) and the
  paragraphs it rests on;
- ``diagram_edges.csv``: one row per arrow, with an optional label and relation: an arrow
  (``leads_to``, the default) or, for two boxes whose groups of people overlap, a dashed
  link without arrowheads (``overlapping_actors``).

:func:`draw` lays the boxes out on that grid, sizes each box to its wrapped text, and
routes every arrow from the edge of one box to the edge of the other, with its label where
it covers no box, no other label and, if it can, no other arrow. :func:`crossings` lists any
arrow that would run through a third box, so a layout that hides an arrow behind a box fails
its test. Changing the argument (a box, an arrow, a label) is an edit of a CSV; the figure,
its alt text and its text description (:func:`describe`) follow.

The geometry :func:`draw` uses is public, so the tests check the drawn figure by the same
rules: where an arrow meets a box (:func:`anchor`), the room a label takes
(:func:`label_box`), whether two boxes overlap (:func:`overlaps`) and whether an arrow runs
through a box (:func:`segment_hits_box`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from .theme import PALETTE

#: Fill, edge and legend text of each kind of box. Light fills with dark text keep the
#: figure readable in print, on slides and in both of the book's themes; the edge colours
#: come from the Okabe-Ito palette, so kinds stay distinct for colour-blind readers, and
#: the kinds are also told apart by their legend and line style, not by colour alone.
KIND_STYLE: dict[str, dict[str, str]] = {
    "driver": {"fill": "#D6E9F8", "edge": PALETTE["blue"], "line": "solid", "legend": "Why adopt it"},
    "policy": {"fill": "#E8F4FB", "edge": PALETTE["sky"], "line": "solid", "legend": "The policy"},
    "explanation": {"fill": "#FBE3D2", "edge": PALETTE["vermillion"], "line": "solid", "legend": "Why it stalls"},
    "mechanism": {"fill": "#FDF3E7", "edge": PALETTE["orange"], "line": "dashed", "legend": "How"},
    "outcome": {"fill": "#3A3A3A", "edge": PALETTE["black"], "line": "solid", "legend": "The outcome"},
    "adopted": {"fill": "#D5F0E6", "edge": PALETTE["green"], "line": "solid", "legend": "Adopted"},
    "untouched": {"fill": "#F6E1EC", "edge": PALETTE["purple"], "line": "solid", "legend": "Left untouched"},
}

#: Grid geometry, in inches: the distance between column centres and between rows, and the
#: width of a box. Rows may be fractional, so the data can fine-tune vertical spacing. The
#: four columns fit the page's width (:data:`halfopen.theme.WIDTH`), so the diagram is shown
#: at full size on a desktop and at half its size or more on a phone, with text no smaller
#: than the book's other figures.
COLUMN_STEP = 1.66
ROW_STEP = 1.45
BOX_WIDTH = 1.58
LABEL_SIZE = 10.5
DETAIL_SIZE = 10
LINE_HEIGHT = 0.172  # inches per detail line
WRAP = 19  # characters per detail line
LABEL_WRAP = 17  # characters per label line

#: The relation of an edge row that is drawn as a link between two boxes whose groups of
#: people overlap (dashed, no arrowheads), not as an arrow from cause to effect.
OVERLAPPING_ACTORS = "overlapping_actors"


@dataclass(frozen=True)
class Box:
    """A box as drawn: centre and size in inches (y grows downwards in the data)."""

    id: str
    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2


def _detail_lines(detail: object) -> list[str]:
    if not isinstance(detail, str) or not detail.strip():
        return []
    return textwrap.wrap(detail.strip(), WRAP)


def _label_lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_WRAP)


def _relation(row: object) -> str:
    value = getattr(row, "relation", None)
    return value if isinstance(value, str) and value else "leads_to"


def layout(nodes: pd.DataFrame) -> dict[str, Box]:
    """Place each node on the grid and size its box to its text.

    Raises :class:`ValueError` naming both boxes if two boxes overlap, so a data edit that
    puts two boxes on top of each other fails loudly instead of drawing an unreadable figure.
    """
    boxes: dict[str, Box] = {}
    for row in nodes.itertuples(index=False):
        n_lines = len(_label_lines(row.label)) * 1.25 + len(_detail_lines(row.detail))
        height = 0.28 + LINE_HEIGHT * n_lines
        top = -row.row * ROW_STEP  # boxes of a row share their top edge
        boxes[row.id] = Box(row.id, row.column * COLUMN_STEP, top - height / 2, BOX_WIDTH, height)
    ids = list(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if overlaps(boxes[a], boxes[b]):
                raise ValueError(f"diagram_nodes.csv: boxes '{a}' and '{b}' overlap; move one (column/row)")
    return boxes


def anchor(box: Box, towards: Box) -> tuple[float, float]:
    """Where an arrow leaves (or enters) ``box`` on its way to ``towards``.

    Through the top or bottom edge if ``towards`` is wholly above or below, else through
    the side facing it. Either way the point moves from the edge's middle towards the other
    box (a quarter of the distance, and never near a corner), so several arrows into one
    edge from different places meet it at different points.
    """
    if towards.top < box.bottom - 0.05:  # below
        return box.x + max(-0.35, min(0.35, (towards.x - box.x) * 0.25)), box.bottom
    if towards.bottom > box.top + 0.05:  # above
        return box.x + max(-0.35, min(0.35, (towards.x - box.x) * 0.25)), box.top
    side = 1 if towards.x > box.x else -1
    reach = max(0.0, box.height / 2 - 0.15)
    return box.x + side * box.width / 2, box.y + max(-reach, min(reach, (towards.y - box.y) * 0.25))


def label_box(x: float, y: float, text: str) -> Box:
    """The room an arrow's label takes, in inches (italic 10 pt, with its white pad)."""
    lines = text.split("\n")
    return Box("label", x, y, 0.075 * max(len(line) for line in lines) + 0.12, 0.1 + 0.2 * len(lines))


def overlaps(p: Box, q: Box) -> bool:
    """Whether two boxes share any area (boxes that only touch along an edge do not)."""
    return abs(p.x - q.x) < (p.width + q.width) / 2 and abs(p.y - q.y) < (p.height + q.height) / 2


def _label_place(
    start: tuple[float, float],
    end: tuple[float, float],
    text: str,
    boxes: list[Box],
    placed: list[Box],
    others: Sequence[tuple[tuple[float, float], tuple[float, float]]] = (),
) -> tuple[float, float, str]:
    """Where on its arrow a label goes, and how it is broken: the middle if it is free, else
    the free point nearest it; on two lines if one line finds no room.

    A point is free when the label there covers no box, no label already placed and none of
    the ``others`` arrows (start, end), so a label never hides where two arrows cross and is
    not read as another arrow's. If no point is free of the other arrows, the first point
    free of boxes and labels is used; if none is, the middle.
    """
    half = max(len(text) // 2 + 1, max((len(w) for w in text.split()), default=1))
    for avoid in (list(others), []):
        for shown in (text, "\n".join(textwrap.wrap(text, half))):
            for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
                x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
                room = label_box(x, y, shown)
                if not any(overlaps(room, b) for b in [*boxes, *placed]) and not any(
                    segment_hits_box(p, q, room, 0.0) for p, q in avoid
                ):
                    return x, y, shown
    return (start[0] + end[0]) / 2, (start[1] + end[1]) / 2, text


def draw(nodes: pd.DataFrame, edges: pd.DataFrame, title: str | None = None) -> plt.Figure:
    """Draw the diagram: boxes by kind, arrows with their labels, and a legend of kinds."""
    boxes = layout(nodes)
    xs = [b.x for b in boxes.values()]
    lows = [b.bottom for b in boxes.values()]
    highs = [b.top for b in boxes.values()]
    x0, x1 = min(xs) - BOX_WIDTH / 2 - 0.08, max(xs) + BOX_WIDTH / 2 + 0.08
    y0, y1 = min(lows) - 0.8, max(highs) + (0.55 if title else 0.1)
    fig = plt.figure(figsize=(x1 - x0, y1 - y0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()

    for row in nodes.itertuples(index=False):
        box, style = boxes[row.id], KIND_STYLE[row.kind]
        dark = row.kind == "outcome"
        ax.add_patch(
            FancyBboxPatch(
                (box.x - box.width / 2, box.bottom),
                box.width,
                box.height,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=style["fill"],
                edgecolor=style["edge"],
                linewidth=1.8,
                linestyle=style["line"],
                zorder=2,
            )
        )
        label = "\n".join(_label_lines(row.label))
        detail = "\n".join(_detail_lines(row.detail))
        n_label = label.count("\n") + 1
        label_y = box.top - 0.14 - LINE_HEIGHT * 1.25 * n_label / 2
        ax.text(
            box.x,
            label_y,
            label,
            ha="center",
            va="center",
            fontsize=LABEL_SIZE,
            fontweight="bold",
            color="white" if dark else "black",
            zorder=3,
            linespacing=1.15,
        )
        if detail:
            ax.text(
                box.x,
                label_y - LINE_HEIGHT * 1.25 * n_label / 2 - 0.06,
                detail,
                ha="center",
                va="top",
                fontsize=DETAIL_SIZE,
                color="white" if dark else "#222222",
                zorder=3,
                linespacing=1.25,
            )

    placed: list[Box] = []
    # the figure's left and right edges, as boxes a label must not cover, so none is cut off
    walls = [Box("edge", x - side * 50, (y0 + y1) / 2, 100, 1000) for x, side in ((x0, 1), (x1, -1))]
    rows = list(edges.itertuples(index=False))
    ends = [(anchor(boxes[r.source], boxes[r.target]), anchor(boxes[r.target], boxes[r.source])) for r in rows]
    for i, row in enumerate(rows):
        start, end = ends[i]
        same = _relation(row) == OVERLAPPING_ACTORS
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-" if same else "-|>",
                mutation_scale=16,
                linewidth=1.5,
                linestyle=(0, (4, 3)) if same else "solid",
                color="#333333",
                shrinkA=2,
                shrinkB=2,
                zorder=1,
            )
        )
        if isinstance(row.label, str) and row.label:
            others = ends[:i] + ends[i + 1 :]
            x, y, shown = _label_place(start, end, row.label, [*boxes.values(), *walls], placed, others)
            placed.append(label_box(x, y, shown))
            ax.text(
                x,
                y,
                shown,
                ha="center",
                va="center",
                fontsize=10,
                style="italic",
                color="#222222",
                zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            )

    if title:
        ax.text((x0 + x1) / 2, y1 - 0.25, title, ha="center", va="center", fontsize=13, fontweight="bold")
    used = [k for k in KIND_STYLE if k in set(nodes["kind"])]
    handles = [
        Patch(
            facecolor=KIND_STYLE[k]["fill"],
            edgecolor=KIND_STYLE[k]["edge"],
            linestyle=KIND_STYLE[k]["line"],
            linewidth=1.5,
            label=KIND_STYLE[k]["legend"],
        )
        for k in used
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        ncol=4,
        fontsize=10,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        handlelength=1.6,
        columnspacing=1.2,
    )
    return fig


def describe(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[str]:
    """The diagram as sentences, one per arrow ("A → B (label)"; a link between two boxes
    whose groups of people overlap as "A ↔ B (label)"), for readers who cannot see the figure
    and for the alt text."""
    labels = dict(zip(nodes["id"], nodes["label"]))
    lines = []
    for row in edges.itertuples(index=False):
        extra = f" ({row.label})" if isinstance(row.label, str) and row.label else ""
        sign = "↔" if _relation(row) == OVERLAPPING_ACTORS else "→"
        lines.append(f"{labels[row.source]} {sign} {labels[row.target]}{extra}")
    return lines


def segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Box, margin: float) -> bool:
    """Whether the segment p-q passes through ``box`` grown by ``margin`` (Liang-Barsky clip)."""
    x0, x1 = box.x - box.width / 2 - margin, box.x + box.width / 2 + margin
    y0, y1 = box.bottom - margin, box.top + margin
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if d == 0:
            if not lo <= v <= hi:
                return False
            continue
        a, b = (lo - v) / d, (hi - v) / d
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
        if t0 > t1:
            return False
    return True


def crossings(nodes: pd.DataFrame, edges: pd.DataFrame, margin: float = 0.08) -> list[tuple[str, str, str]]:
    """Every (source, target, box) where the straight arrow from source to target, as
    :func:`draw` routes it, runs through (or within ``margin`` inches of) a third box: an
    arrow hidden behind a box, or one that a reader would take for an arrow into it."""
    boxes = layout(nodes)
    found = []
    for row in edges.itertuples(index=False):
        a, b = boxes[row.source], boxes[row.target]
        start, end = anchor(a, b), anchor(b, a)
        for other in boxes.values():
            if other.id not in (a.id, b.id) and segment_hits_box(start, end, other, margin):
                found.append((row.source, row.target, other.id))
    return found


def paragraphs_cited(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[int]:
    """Every paragraph number a box or an arrow rests on, sorted (ranges expanded)."""
    found: set[int] = set()
    for spec in list(nodes["paragraphs"]) + list(edges["paragraphs"]):
        for part in str(spec).split(";"):
            lo, _, hi = part.partition("-")
            found.update(range(int(lo), int(hi or lo) + 1))
    return sorted(found)
