"""The paper's evidence on implementation (¶13–27): stated counts, Open Budgets and dated laws.

Chapters 5 to 8 read three kinds of evidence, and this module keeps each honest:

- **Counts the paper states** (``paper_figures``) keep their qualifier: "more than 30,000"
  is a lower bound, so it is shown as one in tables and figures, and a ratio built from it
  is a bound too, rounded in the direction that keeps the bound true (:func:`bounded_ratio`,
  :func:`bound_text`).
- **Open Budget Survey scores** (``obs_central_asia``) are stored unrounded; the survey and
  the paper print whole numbers, so they are rounded half up and set in the survey's bands
  and against its threshold of sufficiency (:func:`obs_scores`, :func:`obs_figure`).

The dated laws and events of these chapters live with all the paper's dates in
:mod:`halfopen.events`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from . import derive, events, theme

#: The paper's section of each ``section`` code (its one home is :mod:`halfopen.events`).
SECTION_TITLES = events.SECTION_TITLES

#: The three scores of the Open Budget Survey, in the order ¶19 lists them.
OBS_MEASURES = ("transparency", "participation", "oversight")

#: How the book names each score (¶19's wording).
OBS_LABELS = {
    "transparency": "Transparency (Open Budget Index)",
    "participation": "Public participation",
    "oversight": "Budget oversight",
}

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
    """The row of ``paper_figures`` with ``key``; a clear error if the table lacks it."""
    hit = figures[figures["key"] == key]
    if len(hit) != 1:
        raise KeyError(f"paper_figures has no row with key {key!r}")
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


# --------------------------------------------------------------------------- Open Budget Survey


def country_codes(countries: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """ISO alpha-3 codes of country ``names`` (``countries`` table); unknown names are an error."""
    lookup = dict(zip(countries["name"], countries["iso3"]))
    missing = [n for n in names if n not in lookup]
    if missing:
        raise ValueError(f"unknown countries: {', '.join(missing)}; known: {', '.join(lookup)}")
    return [lookup[n] for n in names]


def obs_scores(
    obs: pd.DataFrame,
    bands: pd.DataFrame,
    countries: pd.DataFrame,
    obs_round: int,
    names: Sequence[str],
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per country and score of an Open Budget Survey round: rounded, banded, checked.

    Columns: Country, Measure (code), Score (as the source has it, two decimals), Score
    (rounded half up, as the survey prints it), Band, Sufficient (61 or more), and, where
    ``published`` (``published_values``) holds ``obs_<round>.<ISO3>.<measure>`` and
    ``..._band``, the score and band the paper printed (else empty). A score the source
    lacks for that round is left empty, not guessed.
    """
    codes = country_codes(countries, names)
    rows = obs[obs["round"] == obs_round]
    if rows.empty:
        raise ValueError(f"no Open Budget Survey round {obs_round}; rounds present: {sorted(set(obs['round']))}")
    paper = {} if published is None else dict(zip(published["item"], published["published"]))
    out = []
    for name, iso3 in zip(names, codes):
        hit = rows[rows["iso3"] == iso3]
        if hit.empty:
            raise ValueError(f"the Open Budget Survey {obs_round} has no scores for {name}")
        for measure in OBS_MEASURES:
            score = hit[measure].iloc[0]
            has = not pd.isna(score)
            out.append(
                {
                    "Country": name,
                    "Measure": measure,
                    "Score": float(score) if has else math.nan,
                    "Rounded": derive.round_half_up(score) if has else pd.NA,
                    "Band": derive.obs_band(score, measure, bands) if has else "",
                    "Sufficient": (derive.round_half_up(score) >= derive.obs_threshold(bands, measure))
                    if has
                    else pd.NA,
                    "Paper": paper.get(f"obs_{obs_round}.{iso3}.{measure}", ""),
                    "Paper band": paper.get(f"obs_{obs_round}.{iso3}.{measure}_band", ""),
                }
            )
    frame = pd.DataFrame(out)
    frame["Rounded"] = frame["Rounded"].astype("Int64")
    return frame


def obs_table(scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`obs_scores` as a reader's table (the column of the paper's values only if any)."""
    table = scores.assign(
        Measure=scores["Measure"].map(OBS_LABELS),
        Sufficient=scores["Sufficient"].map(lambda s: "" if pd.isna(s) else ("yes" if s else "no")),
    ).rename(
        columns={
            "Score": "Score (source)",
            "Rounded": "Score (rounded)",
            "Sufficient": "Sufficient (61+)",
            "Paper": "Paper: score",
            "Paper band": "Paper: band",
        }
    )
    for column in ("Paper: score", "Paper: band"):
        if (table[column] == "").all():
            table = table.drop(columns=column)
    if table["Country"].nunique() == 1:
        table = table.drop(columns="Country")
    return table


def paper_agreement(scores: pd.DataFrame) -> tuple[int, int]:
    """How many values (scores and bands) the paper printed, and how many the book reproduces."""
    printed = same = 0
    for book, paper in [("Rounded", "Paper"), ("Band", "Paper band")]:
        for mine, theirs in zip(scores[book], scores[paper]):
            if theirs != "":
                printed += 1
                same += int(str(mine) == str(theirs))
    return printed, same


def obs_summary(scores: pd.DataFrame, country: str) -> dict[str, str | int]:
    """Values for a chapter's prose about one country's scores, ready to glue.

    Keys: ``obs_<measure>`` (rounded score), ``obs_<measure>_raw`` (two decimals) and
    ``obs_<measure>_band`` for each measure (``"no score"`` where the round has none), and
    ``obs_sufficient``: which measures reach the threshold, as a phrase.
    """
    mine = scores[scores["Country"] == country].set_index("Measure")
    if mine.empty:
        raise ValueError(f"no scores for {country}")
    out: dict[str, str | int] = {}
    passed = []
    for measure in OBS_MEASURES:
        row = mine.loc[measure]
        has = not pd.isna(row["Rounded"])
        out[f"obs_{measure}"] = int(row["Rounded"]) if has else "no score"
        out[f"obs_{measure}_raw"] = f"{row['Score']:.2f}" if has else "no score"
        out[f"obs_{measure}_band"] = str(row["Band"]) if has else "no band"
        if has and bool(row["Sufficient"]):
            passed.append(OBS_LABELS[measure].split(" (")[0].lower())
    if not passed:
        out["obs_sufficient"] = "none of the scores reaches it"
    elif len(passed) == 1:
        out["obs_sufficient"] = f"only {passed[0]} reaches it"
    else:
        out["obs_sufficient"] = " and ".join([", ".join(passed[:-1]), passed[-1]]) + " reach it"
    return out


def obs_figure(scores: pd.DataFrame, bands: pd.DataFrame, obs_round: int) -> plt.Figure:
    """One panel per score: the survey's bands shaded, its threshold drawn, a bar per country.

    Bands the survey counts as sufficient are shaded green, the rest grey, each named inside
    the panel; the dashed line is the threshold of sufficiency
    (:func:`halfopen.derive.obs_threshold`). Bars show the rounded score, labelled with it.
    """
    names = list(dict.fromkeys(scores["Country"]))
    n = len(names)
    fig, axes = plt.subplots(
        len(OBS_MEASURES), 1, figsize=(theme.WIDTH, len(OBS_MEASURES) * (0.5 * n + 1.25) + 0.7), layout="constrained"
    )
    thresholds = []
    for ax, measure in zip(axes, OBS_MEASURES):
        measure_bands = bands[bands["measure"] == measure].sort_values("score_min")
        for i, b in enumerate(measure_bands.itertuples(index=False)):
            lo = b.score_min if b.score_min == 0 else b.score_min - 0.5
            hi = b.score_max + 0.5 if b.score_max < 100 else 100
            shade = theme.PALETTE["green"] if b.sufficient else theme.PALETTE["grey"]
            ax.axvspan(lo, hi, color=shade, alpha=0.18 if b.sufficient else 0.07 + 0.07 * (i % 2), linewidth=0)
            ax.text((lo + hi) / 2, n - 0.05, b.band, ha="center", va="center", fontsize=10, style="italic")
        threshold = derive.obs_threshold(bands, measure)
        thresholds.append(threshold)
        ax.axvline(threshold - 0.5, color="black", linestyle="--", linewidth=1.2)
        sub = scores[scores["Measure"] == measure].set_index("Country").loc[names]
        for i, (name, r) in enumerate(sub.iterrows()):
            y = n - 1 - i
            if pd.isna(r["Rounded"]):
                ax.text(1, y, f"no {measure} score in {obs_round}", va="center", fontsize=10)
                continue
            score = int(r["Rounded"])
            ax.barh(y, score, color=theme.country_colour(name, i), edgecolor="black", height=0.55)
            ax.text(score + 1, y, f"{score} ({r['Band']})", va="center", fontsize=10.5)
        ax.set_yticks(range(n))
        ax.set_yticklabels(names[::-1])
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.55, n + 0.3)
        ax.set_title(OBS_LABELS[measure], loc="left", fontsize=11)
        ax.grid(axis="y", visible=False)
        ax.set_xticks(range(0, 101, 20))
    same = len(set(thresholds)) == 1
    note = f"sufficient from {thresholds[0]}" if same else "threshold of sufficiency"
    axes[-1].set_xlabel(f"Score out of 100, Open Budget Survey {obs_round}\n(dashed line: {note})")
    return fig
