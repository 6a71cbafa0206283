"""Freedom House's *Freedom in the World* over its editions, for the update (chapter 13):
scores by edition and the changes of status."""

from __future__ import annotations

import pandas as pd

from . import tables


def fh_table(fh: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Freedom House by edition: rows are countries, columns editions.

    A cell reads ``"22 NF (7/5)"``: aggregate score (0-100), status, and the political-rights
    and civil-liberties ratings (1 best, 7 worst). A selected country without rows keeps an
    empty row.
    """
    editions = sorted(int(e) for e in fh["edition"].unique())
    rows = {}
    for name in selected["name"]:
        part = fh[fh["country"] == name].set_index("edition")
        rows[name] = {
            str(e): (
                "{} {} ({}/{})".format(*part.loc[e, ["total_score", "status", "pr_rating", "cl_rating"]])
                if e in part.index
                else None
            )
            for e in editions
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[str(e) for e in editions])
    table.index.name = "Country"
    return table


def status_changes(fh: pd.DataFrame, country: str) -> list[tuple[int, str, str]]:
    """Every edition in which ``country``'s status differs from the edition before.

    Returned as ``(edition, previous status, new status)``, oldest first.
    """
    part = fh[fh["country"] == country].sort_values("edition")
    out = []
    prev = None
    for r in part.itertuples(index=False):
        if prev is not None and r.status != prev.status:
            out.append((int(r.edition), str(prev.status), str(r.status)))
        prev = r
    return out


def status_changes_text(fh: pd.DataFrame, selected: pd.DataFrame, labels: dict[str, str]) -> str:
    """Every change of status of the ``selected`` countries, as a phrase, or "none".

    ``labels`` maps a status code to the words the book uses (``{"NF": "not free", ...}``):
    ``"Kyrgyzstan from partly free to not free in the 2021 edition"``.
    """
    parts = [
        f"{name} from {labels[a]} to {labels[b]} in the {edition} edition"
        for name in selected["name"]
        for edition, a, b in status_changes(fh, name)
    ]
    return tables.join_words(parts)


def score_on(fh: pd.DataFrame, country: str, edition: int) -> int | None:
    """``country``'s aggregate score in ``edition``, or ``None``."""
    hit = fh[(fh["country"] == country) & (fh["edition"] == edition)]
    return int(hit["total_score"].iloc[0]) if len(hit) else None


def score_range(fh: pd.DataFrame, country: str) -> tuple[int, int] | None:
    """Lowest and highest aggregate score of ``country`` over all editions, or ``None``."""
    scores = fh.loc[fh["country"] == country, "total_score"]
    return (int(scores.min()), int(scores.max())) if len(scores) else None
