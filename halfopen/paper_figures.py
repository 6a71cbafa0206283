"""The counts and amounts the paper states (``data/paper_figures.csv``), as the chapters show them.

One home for reading them: :func:`figure_row` finds a figure by its key (exactly one row, or a
clear error) and :func:`stated` writes it as prose does. Chapters 3 to 12 read them, and this
module keeps them honest:

- **Every figure keeps its qualifier**: "more than 30,000"
  is a lower bound, so it is shown as one in tables and figures, and a ratio built from it
  is a bound too, rounded in the direction that keeps the bound true (:func:`bounded_ratio`,
  :func:`bound_text`).

The Open Budget Survey's scores (chapter 6 and the update) live in :mod:`halfopen.open_budget`,
and the dated laws and events with all the paper's dates in :mod:`halfopen.events`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

# --------------------------------------------------------------------------- stated counts


def count_text(value: int, qualifier: str = "exactly") -> str:
    """A count as the paper states it: ``30000, "more than"`` -> ``"more than 30,000"``."""
    number = f"{int(value):,}"
    if qualifier == "exactly":
        return number
    if qualifier in ("more than", "less than"):
        return f"{qualifier} {number}"
    raise ValueError(f"unknown qualifier {qualifier!r}: expected 'exactly', 'more than' or 'less than'")


def figure_row(figures: pd.DataFrame, key: str) -> pd.Series:
    """The one row of ``paper_figures`` with ``key``; a clear error if there is none or more."""
    hit = figures[figures["key"] == key]
    if len(hit) != 1:
        found = "no row" if hit.empty else f"{len(hit)} rows"
        raise KeyError(f"paper_figures has {found} with key {key!r}; keys: {', '.join(figures['key'])}")
    return hit.iloc[0]


def stated(figures: pd.DataFrame, key: str) -> str:
    """The count of ``key`` with its qualifier, as prose shows it (``"more than 15,000"``)."""
    row = figure_row(figures, key)
    return count_text(row["value"], row["qualifier"])


def figures_table(figures: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The counts ``keys`` of ``paper_figures`` as a reader's table, qualifier kept visible.

    Columns: what is counted, the count as the paper states it, what it is out of (if the
    paper says), when, and the paragraph. Nothing is added to or split from the counts.
    """
    rows = []
    for key in keys:
        r = figure_row(figures, key)
        out_of = r["of_total"]
        rows.append(
            {
                "What the paper counts": r["measure"],
                "Count as stated": count_text(r["value"], r["qualifier"]),
                "Out of": "" if pd.isna(out_of) else f"{int(out_of):,}",
                "Unit": r["unit"],
                "As of": r["as_of"],
                "¶": int(r["paragraph"]),
            }
        )
    frame = pd.DataFrame(rows)
    if (frame["Out of"] == "").all():
        frame = frame.drop(columns="Out of")
    return frame


def bounded_ratio(numerator: pd.Series, denominator: pd.Series) -> tuple[float, str]:
    """The ratio of two stated counts and what it is: ``"exactly"``, ``"less than"``, ``"more than"``.

    A count the paper gives as "more than N" is a lower bound. Dividing an exact count by a
    lower bound gives an upper bound ("less than"); dividing a lower bound by an exact count
    gives a lower bound ("more than"). Two lower bounds bound nothing, which is an error.
    """
    top, bottom = numerator["qualifier"], denominator["qualifier"]
    value = float(numerator["value"]) / float(denominator["value"])
    if top == "exactly" and bottom == "exactly":
        return value, "exactly"
    if top == "exactly" and bottom == "more than":
        return value, "less than"
    if top == "more than" and bottom == "exactly":
        return value, "more than"
    raise ValueError(f"the ratio of a '{top}' count to a '{bottom}' count has no bound")


def bound_text(value: float, qualifier: str, digits: int = 0, scale: float = 1.0) -> str:
    """``value * scale`` to ``digits`` decimals, rounded so that the stated bound stays true.

    An upper bound ("less than 27.67") is rounded up ("less than 27.7"), a lower bound
    ("more than 36.14") down ("more than 36.1"); an exact value is rounded half up.
    """
    x = float(value) * scale
    factor = 10**digits
    if qualifier == "less than":
        shown = math.ceil(x * factor - 1e-9) / factor
    elif qualifier == "more than":
        shown = math.floor(x * factor + 1e-9) / factor
    elif qualifier == "exactly":
        shown = math.floor(x * factor + 0.5) / factor
    else:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    number = f"{shown:,.{digits}f}"
    return number if qualifier == "exactly" else f"{qualifier} {number}"
