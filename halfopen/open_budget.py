"""The Open Budget Survey: the paper's scores for Kazakhstan (chapter 6, ¶19) and the 2017
round beside every country surveyed (chapter 13).

Scores (``obs_central_asia``, ``obs_2017_countries``) are stored unrounded; the survey and the
paper print whole numbers, so they are rounded half up and set in the survey's bands and
against its threshold of sufficiency (:func:`obs_scores`, :func:`obs_figure`). For the update,
where each country stands among all the countries of the 2017 round (:func:`obs_placement`),
the round's means and the figure of the whole round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from . import derive, theme

#: The three scores of the Open Budget Survey, in the order ¶19 lists them.
OBS_MEASURES = ("transparency", "participation", "oversight")

#: How the book names each score (¶19's wording).
OBS_LABELS = {
    "transparency": "Transparency (Open Budget Index)",
    "participation": "Public participation",
    "oversight": "Budget oversight",
}


def obs_placement(obs2017: pd.DataFrame, iso3: str, measure: str) -> dict[str, float | int] | None:
    """Where ``iso3`` stands among the surveyed countries on ``measure``, or ``None``.

    ``rank`` is one plus the number of countries scoring higher (ties share a rank),
    ``lower`` the number scoring lower, ``percentile`` the share of all surveyed countries
    scoring lower (in per cent), ``n`` the number of countries surveyed.
    """
    row = obs2017[obs2017["iso3"] == iso3]
    if row.empty:
        return None
    value = float(row[measure].iloc[0])
    scores = obs2017[measure].astype(float)
    higher, lower = int((scores > value).sum()), int((scores < value).sum())
    return {
        "value": value,
        "rank": higher + 1,
        "higher": higher,
        "lower": lower,
        "n": len(obs2017),
        "percentile": 100 * lower / len(obs2017),
    }


def obs_global_means(obs2017: pd.DataFrame) -> dict[str, float]:
    """The unweighted mean of each OBS score over every surveyed country."""
    return {m: float(obs2017[m].astype(float).mean()) for m in OBS_MEASURES}


def obs_placement_table(obs2017: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Score, rank and percentile of each selected country in the 2017 round. A country the
    round did not survey is left out (name it with :func:`absent_caption`)."""
    records = []
    for country in selected.itertuples(index=False):
        for m in OBS_MEASURES:
            p = obs_placement(obs2017, country.iso3, m)
            if p is None:
                break
            rec = {"Country": country.name, "Measure": m}
            rec.update(
                {
                    "Score": p["value"],
                    "Rank": f"{p['rank']} of {p['n']}",
                    "Countries scoring lower (%)": p["percentile"],
                }
            )
            records.append(rec)
    table = pd.DataFrame(records, columns=["Country", "Measure", "Score", "Rank", "Countries scoring lower (%)"])
    return table.set_index(["Country", "Measure"])


def obs_references(bands: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """The survey's threshold of sufficiency of each OBS score, as reference lines for a figure."""
    return {m: (derive.obs_threshold(bands, m), "sufficient") for m in OBS_MEASURES}


def obs_distribution_figure(obs2017: pd.DataFrame, selected: pd.DataFrame, bands: pd.DataFrame) -> plt.Figure:
    """The 2017 scores of every surveyed country, one strip per measure, selected countries marked.

    Each dot is a country (grey); the selected countries surveyed are large dots in their
    colours; a solid line marks the global mean and a dashed one the survey's threshold of
    sufficiency. Dots are spread vertically by a fixed pattern (no randomness).
    """
    fig, axes = plt.subplots(len(OBS_MEASURES), 1, figsize=(theme.WIDTH, 6.4), sharex=True, layout="constrained")
    means = obs_global_means(obs2017)
    offsets = ((np.arange(len(obs2017)) * 7) % 11 - 5) / 14
    for ax, m in zip(axes, OBS_MEASURES):
        ax.scatter(obs2017[m], offsets, s=14, color=theme.PALETTE["grey"], alpha=0.7, linewidths=0)
        for i, country in enumerate(selected.itertuples(index=False)):
            p = obs_placement(obs2017, country.iso3, m)
            if p is None:
                continue
            ax.scatter(
                [p["value"]],
                [0],
                s=90,
                marker=theme.country_marker(country.name, i),
                color=theme.country_colour(country.name, i),
                edgecolor="black",
                zorder=3,
                label=country.name,
            )
        ax.axvline(means[m], color="black", linewidth=1.2)
        ax.axvline(derive.obs_threshold(bands, m), color="black", linewidth=0.9, linestyle="--")
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_title(OBS_LABELS.get(m, m), loc="left")
        ax.grid(axis="y", visible=False)
    axes[-1].set_xlim(-2, 102)
    axes[-1].set_xlabel("Open Budget Survey 2017 score (0–100)")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [
        Line2D([], [], color="black", linewidth=1.2),
        Line2D([], [], color="black", linewidth=0.9, linestyle="--"),
    ]
    labels += ["mean of all countries", "threshold of sufficiency"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    return fig


# --------------------------------------------------------------------------- the paper's round (chapter 6)


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
