"""Rules across columns and rows, named in the descriptor's ``checks`` of a table.

Column-level rules (types, ranges, allowed values, keys) live in the schema; these are the
rules that need more than one cell: a total that must be the sum of its parts, a published
status that must agree with the status its ratings give, bands that must not overlap.
Each appends :class:`~halfopen.data.Problem` objects naming the row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from . import derive


def apply(
    check: dict[str, Any],
    frame: pd.DataFrame,
    lines: list[int],
    shown: str,
    folder: Path,
    problems: list,
) -> None:
    """Apply one ``check`` of the descriptor to ``frame``."""
    kind = check["type"]
    if kind not in _RULES:
        raise ValueError(f"{shown}: the descriptor names an unknown check {kind!r}")
    _RULES[kind](check, frame, lines, shown, folder, problems)


def _problem(*args, **kwargs):
    from .data import Problem

    return Problem(*args, **kwargs)


def _sum(check, frame, lines, shown, folder, problems) -> None:
    """``total`` equals the sum of ``parts`` wherever all of them are given."""
    tot, parts = check["total"], check["parts"]
    for i, row in frame.iterrows():
        values = [row[p] for p in parts]
        if pd.isna(row[tot]) or any(pd.isna(v) for v in values):
            continue
        if int(row[tot]) != sum(int(v) for v in values):
            problems.append(
                _problem(
                    shown,
                    f"must equal {' + '.join(parts)} = {sum(int(v) for v in values)}",
                    row=lines[i],
                    column=tot,
                    value=str(row[tot]),
                )
            )


def _freedom_status(check, frame, lines, shown, folder, problems) -> None:
    """``status`` agrees with the status the PR and CL ratings give (Table 1, notes)."""
    from .data import load

    thresholds = load(check.get("thresholds", "freedom_status_thresholds"), folder)
    for i, row in frame.iterrows():
        rating = derive.freedom_rating(row[check["pr"]], row[check["cl"]])
        try:
            expected = derive.freedom_status(rating, thresholds)
        except ValueError:
            problems.append(
                _problem(
                    shown,
                    f"PR {row[check['pr']]} and CL {row[check['cl']]} give a freedom rating of {rating:.1f}, "
                    "which lies in no status band of the thresholds table",
                    row=lines[i],
                    column=check["status"],
                    value=str(row[check["status"]]),
                )
            )
            continue
        if row[check["status"]] != expected:
            problems.append(
                _problem(
                    shown,
                    f"contradicts the ratings: PR {row[check['pr']]} and CL {row[check['cl']]} "
                    f"give a freedom rating of {rating:.1f}, status {expected}",
                    row=lines[i],
                    column=check["status"],
                    value=str(row[check["status"]]),
                )
            )


def _ordered_range(check, frame, lines, shown, folder, problems) -> None:
    """``low`` <= ``high`` on every row, and within each ``group`` the ranges don't overlap."""
    low, high, group = check["low"], check["high"], check.get("group")
    for i, row in frame.iterrows():
        if row[low] > row[high]:
            problems.append(
                _problem(
                    shown, f"must not be above '{high}' ({row[high]})", row=lines[i], column=low, value=str(row[low])
                )
            )
    groups = frame.groupby(group, sort=False) if group else [(None, frame)]
    for _, part in groups:
        ordered = part.sort_values(low, kind="stable")
        prev = None
        for i, row in ordered.iterrows():
            if prev is not None and row[low] <= prev[1]:
                problems.append(
                    _problem(
                        shown,
                        f"overlaps the range of row {prev[0]} (which ends at {prev[1]})",
                        row=lines[i],
                        column=low,
                        value=str(row[low]),
                    )
                )
            prev = (lines[i], row[high])


def _not_before(check, frame, lines, shown, folder, problems) -> None:
    """``later`` is empty or not before ``earlier`` (an end year after its start year)."""
    earlier, later = check["earlier"], check["later"]
    for i, row in frame.iterrows():
        if pd.notna(row[later]) and pd.notna(row[earlier]) and row[later] < row[earlier]:
            problems.append(
                _problem(
                    shown,
                    f"must not be before '{earlier}' ({row[earlier]})",
                    row=lines[i],
                    column=later,
                    value=str(row[later]),
                )
            )


_RULES = {
    "sum": _sum,
    "freedom_status": _freedom_status,
    "ordered_range": _ordered_range,
    "not_before": _not_before,
}
