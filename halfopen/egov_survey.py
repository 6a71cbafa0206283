"""The UN E-Government Survey, for the update (chapter 14): how the EGDI rank drifts, and
participation on offer (the e-participation index) beside the Open Budget Survey's."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import tables, theme
from .method import COMPARABLE_FROM
from .timeseries import edition_span


def rank_drift(egov: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Per selected country: its EGDI and rank in the first and last survey of the table.

    ``drift`` is True where the index rose while the rank did not improve: the level of the
    EGDI rises for nearly everyone from survey to survey, so a rising level alone does not
    say that a country gained on the others. Countries without rows are left out.
    """
    first, last = edition_span(egov, "survey")
    records = []
    for c in selected.itertuples(index=False):
        part = egov[egov["iso3"] == c.iso3].set_index("survey")
        if first not in part.index or last not in part.index:
            continue
        d_level = (float(part.at[last, "egdi"]) - float(part.at[first, "egdi"])) * 100
        r0, r1 = int(part.at[first, "egdi_rank"]), int(part.at[last, "egdi_rank"])
        records.append(
            {
                "Country": c.name,
                "from": first,
                "to": last,
                "level change": d_level,
                "rank from": r0,
                "rank to": r1,
                "drift": d_level > 0 and r1 >= r0,
            }
        )
    return pd.DataFrame(records, columns=["Country", "from", "to", "level change", "rank from", "rank to", "drift"])


def rank_drift_text(drift: pd.DataFrame) -> str:
    """The countries of :func:`rank_drift` whose index rose while their rank did not, as a phrase."""
    hits = drift[drift["drift"]]
    if hits.empty:
        return "no country shown rose in level without also rising in rank"
    return tables.join_words(
        [
            f"{r['Country']}'s index rose by {r['level change']:.1f} points while its rank went from "
            f"{r['rank from']} to {r['rank to']}"
            for r in hits.to_dict("records")
        ]
    )


def pair_epi_participation(
    egov: pd.DataFrame,
    obs: pd.DataFrame,
    selected: pd.DataFrame,
    start_year: int,
    end_year: int,
    max_gap: int = 2,
) -> pd.DataFrame:
    """Each OBS round's participation score beside the EPI of the nearest E-Government Survey.

    Only rounds from :data:`COMPARABLE_FROM` on, whose participation questions are the same.

    The two surveys are not published in the same years. Every OBS round in the window with a
    participation score is paired with the E-Government Survey closest in time, the earlier
    one on a tie, and only if at most ``max_gap`` years apart (otherwise the round is left
    out of the pairs, not estimated). Both values are in 0-100 points (EPI x 100).
    """
    records = []
    for country in selected.itertuples(index=False):
        e = egov[egov["iso3"] == country.iso3]
        o = obs[(obs["iso3"] == country.iso3) & obs["participation"].notna()]
        o = o[(o["round"] >= max(start_year, COMPARABLE_FROM["obs_p"])) & (o["round"] <= end_year)]
        surveys = sorted(int(s) for s in e["survey"])
        for r in o.sort_values("round").itertuples(index=False):
            if not surveys:
                break
            nearest = min(surveys, key=lambda s: (abs(s - int(r.round)), s))
            if abs(nearest - int(r.round)) > max_gap:
                continue
            epi = float(e.loc[e["survey"] == nearest, "epi"].iloc[0])
            records.append(
                {
                    "Country": country.name,
                    "OBS round": int(r.round),
                    "EGDI survey": nearest,
                    "EPI (points)": epi * 100,
                    "Participation": float(r.participation),
                }
            )
    return pd.DataFrame(records, columns=["Country", "OBS round", "EGDI survey", "EPI (points)", "Participation"])


def epi_participation_figure(pairs: pd.DataFrame, selected: pd.DataFrame) -> plt.Figure:
    """Participation offered online (EPI) against participation offered in the budget process (OBS).

    Both measure supply: what government (and, for the OBS, parliament and the audit
    office) offers, not whether anyone takes part.

    One path per country through its pairs in time order, its first and last points labelled
    with the OBS round; the diagonal marks equal points on both scales (a reference, not an equivalence).
    Selected countries without pairs are named under the plot.
    """
    fig, ax = plt.subplots(figsize=(theme.WIDTH, theme.WIDTH + 0.4), layout="constrained")
    ax.plot([0, 100], [0, 100], color=theme.PALETTE["grey"], linestyle=":", linewidth=1)
    ax.text(97, 93, "equal points", rotation=45, ha="right", va="top", fontsize=10, color="#555555")
    missing = []
    for i, country in enumerate(selected.itertuples(index=False)):
        part = pairs[pairs["Country"] == country.name].sort_values("OBS round")
        if part.empty:
            missing.append(country.name)
            continue
        colour = theme.country_colour(country.name, i)
        marker = theme.country_marker(country.name, i)
        xs, ys = part["EPI (points)"].to_numpy(), part["Participation"].to_numpy()
        ax.plot(xs, ys, color=colour, marker=marker, linestyle="none", markersize=7, label=country.name)
        for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):  # an arrow from each round to the next
            ax.annotate(
                "",
                (x1, y1),
                (x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.4, "shrinkA": 4, "shrinkB": 5},
            )
        # the first and last rounds only: enough to read the path's ends without a pile of labels
        ends = part.iloc[[0, -1]] if len(part) > 1 else part
        for k, r in enumerate(ends.itertuples(index=False)):
            ax.annotate(
                str(r[1]),
                (r[3], r[4]),
                textcoords="offset points",
                xytext=(6, -12) if k == 0 and len(ends) > 1 else (6, 5),
                fontsize=10,
                color="black",
            )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.set_xlabel("UN E-Participation Index (×100): offered online")
    ax.set_ylabel("Open Budget Survey participation (0–100): offered in the budget")
    ax.legend(loc="upper left")
    if missing:
        fig.supxlabel(f"No pairs: {tables.join_words(missing)}.", fontsize=10, style="italic")
    return fig
