"""Values the paper derives from others, computed here rather than stored twice.

Each function is small and pure, so the loader's rules, the chapters and the tests all use
the same definition: the freedom rating and status of Table 1's notes (and what a
regenerated Table 1 may be called), the Open Budget Survey's score bands and its threshold
of sufficiency, totals, and Matland's matrix cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

#: Column labels of Table 1, as the paper prints them (Table 1, ¶5).
TABLE_1_COLUMNS = [
    "Freedom status",
    "Political rights",
    "Civil liberties",
    "Freedom rating",
    "Aggregate score",
]


def freedom_rating(pr_rating: float, cl_rating: float) -> float:
    """Freedom rating: the mean of the political-rights and civil-liberties ratings (Table 1, notes)."""
    return (float(pr_rating) + float(cl_rating)) / 2


def freedom_status(rating: float, thresholds: pd.DataFrame) -> str:
    """Status code (``F``, ``PF``, ``NF``) whose rating band holds ``rating``.

    ``thresholds`` is the ``freedom_status_thresholds`` table: the bands of Table 1's notes
    (Free 1.0–2.5, Partly free 3.0–5.0, Not free 5.5–7.0). Ratings move in steps of 0.5, so
    the bands leave no gaps.
    """
    for row in thresholds.itertuples(index=False):
        if row.rating_min <= rating <= row.rating_max:
            return str(row.status)
    raise ValueError(f"freedom rating {rating} lies in no status band")


def status_label(code: str, thresholds: pd.DataFrame) -> str:
    """The label Table 1 prints for a status code, e.g. ``NF`` -> ``Not free``."""
    labels = dict(zip(thresholds["status"], thresholds["label"]))
    return str(labels[code])


def table_1(
    freedom_house: pd.DataFrame,
    thresholds: pd.DataFrame,
    edition: int = 2019,
    countries: list[str] | None = None,
) -> pd.DataFrame:
    """Table 1 for one Freedom House ``edition``: status and rating derived from PR and CL.

    Rows are the ``countries`` given (default: every country of that edition, in the
    table's order); the index is the country name, the columns :data:`TABLE_1_COLUMNS`.
    """
    rows = freedom_house[freedom_house["edition"] == edition]
    if rows.empty:
        editions = sorted(int(e) for e in freedom_house["edition"].unique())
        raise ValueError(f"no Freedom House rows for edition {edition}; editions present: {editions}")
    if countries is not None:
        missing = [c for c in countries if c not in set(rows["country"])]
        if missing:
            raise ValueError(f"edition {edition} has no rows for: {', '.join(missing)}")
        rows = rows.set_index("country").loc[countries].reset_index()
    out = []
    for r in rows.itertuples(index=False):
        rating = freedom_rating(r.pr_rating, r.cl_rating)
        out.append(
            {
                "Country": r.country,
                "Freedom status": status_label(freedom_status(rating, thresholds), thresholds),
                "Political rights": int(r.pr_rating),
                "Civil liberties": int(r.cl_rating),
                "Freedom rating": rating,
                "Aggregate score": int(r.total_score),
            }
        )
    return pd.DataFrame(out).set_index("Country")


def table_1_kind(edition: int, paper_edition: int, countries: Sequence[str] | None = None) -> str:
    """What a regenerated Table 1 is: the paper's table, or only its layout filled anew.

    Only ``paper_edition`` with the paper's rows (``countries`` None) gives the table the
    paper printed. Another Freedom House edition, or countries of the reader's choosing,
    fill Table 1's layout with other values; the caption and the prose must not call that
    the paper's table. One phrase, so the caption and the sentence below it cannot disagree.
    """
    if edition == paper_edition and countries is None:
        return "Table 1 of the paper, regenerated"
    rows = " for the countries chosen" if countries is not None else ""
    paper = "" if edition == paper_edition else f", which is from the {paper_edition} edition"
    return f"Table 1's layout{rows}, filled from Freedom House's {edition} edition, not the paper's table{paper}"


def table_1_caption(edition: int, paper_edition: int, countries: Sequence[str] | None = None) -> str:
    """Caption of Table 1 for ``edition``: the paper's title, then :func:`table_1_kind`."""
    return f"Open government indicators, Central Asia ({edition}): {table_1_kind(edition, paper_edition, countries)}"


def obs_band(score: float, measure: str, bands: pd.DataFrame) -> str:
    """The Open Budget Survey band (e.g. ``limited``) of a ``score`` on ``measure``.

    The survey publishes whole-number scores, so the score is rounded half up first.
    """
    rounded = round_half_up(score)
    for row in bands[bands["measure"] == measure].itertuples(index=False):
        if row.score_min <= rounded <= row.score_max:
            return str(row.band)
    raise ValueError(f"OBS {measure} score {score} lies in no band")


def obs_threshold(bands: pd.DataFrame, measure: str = "transparency") -> int:
    """Lowest score the survey counts as sufficient on ``measure`` (61 in the 2017 round)."""
    sufficient = bands[(bands["measure"] == measure) & bands["sufficient"]]
    return int(sufficient["score_min"].min())


def round_half_up(value: float) -> int:
    """Round as a published table does (52.5 -> 53), not as Python does (banker's rounding)."""
    return int(math.floor(float(value) + 0.5))


def total(values: pd.Series) -> int:
    """Sum of the counts given, ignoring rows that give none (e.g. an observation)."""
    return int(values.dropna().sum())


def matland_cell(matrix: pd.DataFrame, ambiguity: str, conflict: str) -> str:
    """The implementation type of Matland's matrix for a policy's ambiguity and conflict."""
    hit = matrix[(matrix["ambiguity"] == ambiguity) & (matrix["conflict"] == conflict)]
    if len(hit) != 1:
        raise ValueError(f"Matland's matrix has no single cell for ({ambiguity}, {conflict})")
    return str(hit["implementation"].iloc[0])


def matland_table(matrix: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """Table 3: Matland's ambiguity-conflict matrix with each assessed policy in its cell.

    Rows are the levels of ambiguity, columns the levels of conflict (low before high), as
    the paper prints them. A cell names its type of implementation; each policy in
    ``assessments`` is placed, by :func:`matland_cell`, in the cell its ambiguity and
    conflict give, after a colon (as the paper writes "Symbolic Implementation: Open
    Government in Central Asia").
    """
    order = {"low": 0, "high": 1}
    cells = matrix.assign(text=matrix["implementation"].astype(str))
    for a in assessments.itertuples(index=False):
        name = matland_cell(matrix, a.ambiguity, a.conflict)
        hit = cells["implementation"] == name
        cells.loc[hit, "text"] = cells.loc[hit, "text"] + ": " + a.policy
    table = cells.pivot(index="ambiguity", columns="conflict", values="text")
    table = table.loc[sorted(table.index, key=order.get), sorted(table.columns, key=order.get)]
    table.index = [f"{level.capitalize()} ambiguity" for level in table.index]
    table.columns = [f"{level.capitalize()} conflict" for level in table.columns]
    table.index.name = ""
    return table
