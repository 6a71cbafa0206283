"""The paper's dated events (``data/events.csv``): one home for finding, listing and drawing them.

Every chapter that quotes a date, lists the dates of its section or draws them uses this
module, so a date is found one way (:func:`event_date`), listed one way (:func:`events_table`)
and drawn on one timeline with one colour key (:func:`timeline`). Dates keep the precision
the paper gives: an event dated by its month is a point in that month, one dated only by its
year (or "spring") spans the whole year rather than an invented day.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import theme

#: The paper's section of each ``section`` code, as the chapters title them, in the paper's order.
SECTION_TITLES = {
    "case_selection": "Case selection",
    "stronger_civil_society": "Stronger civil society",
    "more_inclusive_decision_making": "More inclusive decision-making",
    "access_to_information": "Access to information",
    "freedom_of_the_press": "Freedom of the press",
    "access_to_public_services": "Access to public services",
    "anti_corruption_measures": "Anti-corruption measures",
}

#: One colour per section, the same wherever the timeline is shown (Okabe-Ito, from the theme).
SECTION_COLOURS = {
    "case_selection": theme.PALETTE["grey"],
    "stronger_civil_society": theme.PALETTE["green"],
    "more_inclusive_decision_making": theme.PALETTE["orange"],
    "access_to_information": theme.PALETTE["blue"],
    "freedom_of_the_press": theme.PALETTE["vermillion"],
    "access_to_public_services": theme.PALETTE["sky"],
    "anti_corruption_measures": theme.PALETTE["purple"],
}


def events_for(events: pd.DataFrame, sections: Sequence[str] | None = None) -> pd.DataFrame:
    """The events of ``sections`` (``None``: all), oldest first; one dated only by its year comes last in it.

    An unknown section, or sections without any event, is an error naming what is there.
    """
    chosen_sections = list(SECTION_TITLES) if sections is None else list(sections)
    unknown = [s for s in chosen_sections if s not in SECTION_TITLES]
    if unknown:
        raise ValueError(f"unknown sections: {', '.join(unknown)}; known: {', '.join(SECTION_TITLES)}")
    chosen = events[events["section"].isin(chosen_sections)].copy()
    if chosen.empty:
        present = ", ".join(sorted(events["section"].unique())) or "none"
        raise ValueError(f"no events in {', '.join(chosen_sections)}; sections present: {present}")
    chosen["_month"] = chosen["month"].fillna(13).astype(int)
    chosen = chosen.sort_values(["year", "_month", "paragraph", "event"], kind="stable").drop(columns="_month")
    return chosen.reset_index(drop=True)


def events_table(events: pd.DataFrame, sections: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`events_for` as a reader's table: the date as the paper gives it, section, kind, event, ¶.

    The section column is left out when every row has the same section.
    """
    chosen = events_for(events, sections)
    table = pd.DataFrame(
        {
            "Date (as the paper gives it)": chosen["date_text"],
            "Section": chosen["section"].map(SECTION_TITLES),
            "Kind": [str(k).capitalize() for k in chosen["kind"]],
            "Event": chosen["event"],
            "¶": chosen["paragraph"].astype(int),
        }
    )
    if table["Section"].nunique() == 1:
        table = table.drop(columns="Section")
    return table


def event(events: pd.DataFrame, words: str, section: str | None = None) -> pd.Series:
    """The one event (of ``section``, if given) whose text contains ``words``, case ignored; else an error."""
    pool = events if section is None else events_for(events, [section])
    hit = pool[pool["event"].str.contains(words, case=False, regex=False)]
    if len(hit) != 1:
        where = f" of {section!r}" if section else ""
        raise KeyError(f"{len(hit)} events{where} mention {words!r}; expected exactly one")
    return hit.iloc[0]


def event_date(events: pd.DataFrame, words: str, section: str | None = None) -> str:
    """The date, as the paper gives it, of the event :func:`event` finds.

    Lets prose quote a date from the table (``"December 2017"``) instead of typing it.
    """
    return str(event(events, words, section)["date_text"])


def mentions(events: pd.DataFrame, words: str) -> pd.DataFrame:
    """Every event, in any section, whose text contains ``words``: date as given, section, event, ¶.

    Shows where the paper dates one subject more than once, and how: nothing is reconciled.
    """
    hit = events[events["event"].str.contains(words, case=False, regex=False)]
    if hit.empty:
        return pd.DataFrame(columns=["Date (as the paper gives it)", "Section of the paper", "Event", "¶"])
    hit = events_for(hit, list(dict.fromkeys(hit["section"])))
    return pd.DataFrame(
        {
            "Date (as the paper gives it)": hit["date_text"],
            "Section of the paper": hit["section"].map(SECTION_TITLES),
            "Event": hit["event"],
            "¶": hit["paragraph"].astype(int),
        }
    )


def event_span(year: int, month: int | None) -> tuple[float, float]:
    """Where an event lies on a time axis in years: its month, or its whole year if undated within it."""
    if month is None or pd.isna(month):
        return float(year), float(year) + 1.0
    return year + (int(month) - 1) / 12, year + int(month) / 12


def window(events: pd.DataFrame) -> tuple[int, int]:
    """The years the timeline's axis spans: where the events cluster, not a lone outlier's decades.

    From three years before the first quartile of the events' years to three years after the
    third quartile, within the years the events cover; events outside are drawn at the edge.
    """
    years = events["year"].astype(int)
    last = int(pd.concat([years, events["end_year"].dropna().astype(int)]).max())
    q1, q3 = years.quantile(0.25), years.quantile(0.75)
    return max(int(years.min()), int(q1) - 3), min(last, int(q3) + 3)


def timeline(events: pd.DataFrame, sections: Sequence[str] | None = None, wrap: int = 38) -> plt.Figure:
    """One timeline of the dated events of ``sections`` (``None``: every section), coloured by section.

    One row per event, oldest at the top: on the left a time axis with the date as the paper
    gives it beside each mark, on the right the event. An event dated to a month is a diamond in that month;
    one dated only to a year (or season) is a bar across that year; a period (a two-year
    seat) is a bar across it. The axis spans :func:`window`; an event outside it is an arrow
    at the edge, its date written beside it. One colour key, the paper's sections.
    """
    chosen = events_for(events, sections)
    lo, hi = window(chosen)
    line = 10.5 / 72 * 1.3  # inches per text line
    blocks = [(r, textwrap.wrap(str(r.event), wrap)) for r in chosen.itertuples(index=False)]
    gap = 0.7  # lines between two events
    total = sum(len(lines) for _, lines in blocks) + gap * len(blocks)
    used = [s for s in SECTION_TITLES if s in set(chosen["section"])]
    legend_rows = (len(used) + 2 + 1) // 2
    legend = legend_rows * 0.25 + 0.15
    height = total * line + 0.45 + legend
    fig, (ax, text_ax) = plt.subplots(
        1,
        2,
        figsize=(theme.WIDTH, height),
        sharey=True,
        gridspec_kw={"width_ratios": [1.12, 1.4], "wspace": 0.03},
    )
    middle = (lo + hi + 1) / 2
    y = 0.0
    for r, lines in blocks:
        n = len(lines)
        centre = -(y + n / 2)
        colour = SECTION_COLOURS.get(r.section, theme.PALETTE["black"])
        month = None if pd.isna(r.month) else int(r.month)
        start, end = event_span(int(r.year), month)
        if pd.notna(r.end_year) and int(r.end_year) > int(r.year):
            end = float(int(r.end_year) + 1)
        ax.hlines(centre, lo, hi + 1, color=theme.PALETTE["grey"], linewidth=0.5, alpha=0.5, zorder=1)
        if end <= lo or start >= hi + 1:  # outside the axis: an arrow at its edge
            left = end <= lo
            x = lo + 0.12 if left else hi + 0.88
            ax.plot(x, centre, marker="<" if left else ">", markersize=11, color=colour, markeredgecolor="black")
            first, last, pad = x, x, 9
        elif month is None or end - start > 1 / 12 + 1e-9:
            ax.barh(centre, end - start, left=start, height=0.8, color=colour, edgecolor="black", linewidth=0.6)
            first, last, pad = start, end, 4
        else:
            x = (start + end) / 2
            ax.plot(x, centre, marker="D", markersize=10, color=colour, markeredgecolor="black")
            first, last, pad = x, x, 9
        right = (first + last) / 2 < middle
        ax.annotate(
            str(r.date_text),
            (last if right else first, centre),
            xytext=(pad if right else -pad, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            fontsize=10,
            fontweight="bold",
        )
        text_ax.text(0.03, centre, "\n".join(lines), va="center", fontsize=10.5, linespacing=1.2)
        y += n + gap
    ax.set_xlim(lo, hi + 1)
    years = list(range(lo, hi + 2))
    step = 1 if len(years) <= 9 else 2
    ax.set_xticks(years[::step])
    ax.set_xticklabels([f"’{str(v)[2:]}" if i else str(v) for i, v in enumerate(years[::step])])
    ax.set_yticks([])
    ax.set_ylim(-y + gap / 2, gap / 2)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="x", labelsize=10.5)
    ax.xaxis.set_ticks_position("top")
    text_ax.set_xlim(0, 1)
    text_ax.axis("off")
    handles = [Patch(facecolor=SECTION_COLOURS[s], edgecolor="black", label=SECTION_TITLES[s]) for s in used]
    handles += [
        Line2D([], [], marker="D", color="white", markeredgecolor="black", linestyle="", label="dated to the month"),
        Patch(facecolor="white", edgecolor="black", label="dated to the year (or season)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=10.5, bbox_to_anchor=(0.5, 0.0))
    fig.subplots_adjust(left=0.04, right=0.99, top=1 - 0.4 / height, bottom=(legend + 0.05) / height)
    return fig
