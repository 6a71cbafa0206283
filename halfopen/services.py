"""Access to public services (¶28–30), anti-corruption measures (¶31–32) and the conclusion (¶46).

Plain functions behind chapters 09, 10 and 12. They build on :mod:`halfopen.implementation`
(stated counts that keep their qualifier, dated events) and :mod:`halfopen.context` (tables
whose cells carry chapter links), and add what these three chapters need:

- the counts of one section of ``paper_figures``, as prose and as a small figure in which
  each count has its own axis (the counts are of different things) and a count the paper
  gives as "more than N" is drawn as an open-ended bound (:func:`counts_panels`);
- the dated events of a section, and every event that mentions a subject across sections,
  so that two dates the paper gives for one law can be shown side by side (:func:`mentions`);
- the conclusion's reading of the paper: its answer to each of the three aims (¶4), in our
  words, with the paragraphs each answer rests on and the chapters that cover it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import context, implementation, theme

#: The ``section`` codes of the two chapters on implementation this module serves.
PUBLIC_SERVICES = "access_to_public_services"
ANTI_CORRUPTION = "anti_corruption_measures"

# --------------------------------------------------------------------------- stated counts


def section_keys(figures: pd.DataFrame, section: str) -> list[str]:
    """Keys of the counts ``paper_figures`` holds for ``section``, in the table's order.

    An unknown section is an error; a known section without counts gives an empty list
    (the paper states no count there, and the chapter says so).
    """
    if section not in implementation.SECTION_TITLES:
        raise ValueError(f"unknown section {section!r}; known: {', '.join(implementation.SECTION_TITLES)}")
    return [str(k) for k in figures.loc[figures["section"] == section, "key"]]


def stated_counts(figures: pd.DataFrame, section: str) -> dict[str, str]:
    """Each count of ``section`` as prose shows it, qualifier kept: ``{key: "more than 700"}``."""
    return {key: implementation.stated(figures, key) for key in section_keys(figures, section)}


def section_figures_table(figures: pd.DataFrame, section: str) -> pd.DataFrame:
    """The counts of ``section`` as a reader's table (see :func:`halfopen.implementation.figures_table`)."""
    keys = section_keys(figures, section)
    if not keys:
        raise ValueError(f"paper_figures holds no counts for section {section!r}")
    return implementation.figures_table(figures, keys)


def counts_panels(figures: pd.DataFrame, keys: Sequence[str], title: str) -> plt.Figure:
    """One small panel per stated count, each on its own axis, bounds drawn as bounds.

    The counts are of different things (services, centres, people), so they share no axis
    and their bars are not to be compared in length. A count the paper gives exactly is a
    bar; one it gives as "more than N" is a bar to N that continues as a dashed arrow, since
    the paper sets no upper limit. Each panel is labelled with the count as stated.
    """
    if not keys:
        raise ValueError("no counts to draw")
    rows = [implementation.figure_row(figures, k) for k in keys]
    n = len(rows)
    fig, axes = plt.subplots(n, 1, figsize=(7.2, 1.05 * n + 0.9), squeeze=False)
    for i, (ax, r) in enumerate(zip(axes[:, 0], rows)):
        value = int(r["value"])
        colour = theme.PALETTE[theme.ORDER[i % len(theme.ORDER)]]
        ax.barh(0, value, color=colour, edgecolor="black", linewidth=0.6, height=0.55)
        end = value
        if r["qualifier"] == "more than":
            end = value * 1.3
            ax.annotate(
                "",
                xy=(end, 0),
                xytext=(value, 0),
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.4, "linestyle": "--"},
            )
        label = f"{implementation.count_text(value, r['qualifier'])} {r['unit']}"
        ax.text(end + 0.03 * value, 0, label, va="center", fontsize=10)
        ax.set_xlim(0, value * 2.0)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10], integer=True))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{int(v):,}"))
        ax.grid(axis="y", visible=False)
        ax.set_title("\n".join(textwrap.wrap(str(r["measure"]), 80)), loc="left", fontsize=10, fontweight="normal")
    fig.suptitle(title, x=0.02, ha="left", fontweight="bold", fontsize=12)
    fig.tight_layout(h_pad=0.8)
    return fig


# --------------------------------------------------------------------------- dated events


def section_events_table(events: pd.DataFrame, section: str) -> pd.DataFrame:
    """The dated events of one section, oldest first, without the (then redundant) section column."""
    table = implementation.events_table(events, [section])
    if table.empty:
        raise ValueError(f"events holds nothing for section {section!r}")
    return table.drop(columns="Section").reset_index(drop=True)


def event(events: pd.DataFrame, section: str, words: str) -> pd.Series:
    """The one event of ``section`` whose text contains ``words`` (case ignored); else an error."""
    chosen = events[(events["section"] == section) & events["event"].str.contains(words, case=False, regex=False)]
    if len(chosen) != 1:
        raise KeyError(f"{len(chosen)} events of {section!r} mention {words!r}; expected exactly one")
    return chosen.iloc[0]


def event_date(events: pd.DataFrame, section: str, words: str) -> str:
    """The date, as the paper gives it, of the event found by :func:`event`."""
    return str(event(events, section, words)["date_text"])


def mentions(events: pd.DataFrame, words: str) -> pd.DataFrame:
    """Every event, in any section, whose text contains ``words``: date as given, section, ¶.

    Shows where the paper dates one subject more than once, and how: nothing is reconciled.
    """
    hit = events[events["event"].str.contains(words, case=False, regex=False)]
    hit = implementation.events_for(hit, list(dict.fromkeys(hit["section"])))
    return pd.DataFrame(
        {
            "Date (as the paper gives it)": hit["date_text"],
            "Section of the paper": hit["section"].map(implementation.SECTION_TITLES),
            "Event": hit["event"],
            "¶": hit["paragraph"].astype(int),
        }
    )


def years_apart(earlier: pd.Series, later: pd.Series) -> int:
    """Whole years between two events' years (the data give years; months may be missing)."""
    gap = int(later["year"]) - int(earlier["year"])
    if gap < 0:
        raise ValueError("the 'later' event comes before the 'earlier' one")
    return gap


def number_word(n: int) -> str:
    """``n`` in words for prose (``1`` -> ``"one"``) up to twelve; digits beyond."""
    words = "zero one two three four five six seven eight nine ten eleven twelve".split()
    return words[n] if 0 <= n < len(words) else f"{n:,}"


# --------------------------------------------------------------------------- the conclusion

#: The paper's answer to each of its aims (¶4), in our words, with the paragraphs it rests on.
AIM_ANSWERS: dict[int, tuple[str, str]] = {
    1: (
        "For standing abroad more than for openness at home: open government belongs to the "
        "bid for international respectability (the OECD, the goal of joining the most developed "
        "countries) and to channelling unrest, and the conclusion judges the commitment never to have been real",
        "¶6, ¶8–9, ¶46",
    ),
    2: (
        "The benign, service-facing parts were put in place, but in each policy officials held "
        "on to control: NGO funding through the state, gatekept portals, unpublished budgets, "
        "stalled information requests, tighter media laws, monitored staff and citizens, and "
        "ethics commissioners held back by their superiors",
        "¶13–32",
    ),
    3: (
        "Bureaucratic obstruction at the top and tacit resistance in the middle, plus an "
        "implementation deficit: an ambiguous, high-conflict policy that gets only symbolic "
        "implementation, decided by local coalitions",
        "¶33–45",
    ),
}


def conclusion_aims_table(
    aims: pd.DataFrame,
    answers: Mapping[int, tuple[str, str]] = AIM_ANSWERS,
    chapters: Mapping[int, Sequence[str]] = context.AIM_CHAPTERS,
) -> pd.DataFrame:
    """The paper's aims (``paper_aims``) beside the paper's answer to each and where the book covers it.

    The ``Where in this book`` column holds chapter links (markup: show with
    :func:`halfopen.context.show_myst_table` and ``myst_columns=["Where in this book"]``).
    An aim without an answer or a chapter is an error, never a blank row.
    """
    rows = aims.sort_values("order")
    orders = [int(o) for o in rows["order"]]
    for name, mapping in (("answer", answers), ("chapter", chapters)):
        missing = [o for o in orders if o not in mapping]
        if missing:
            raise KeyError(f"no {name} given for aim(s) {missing}")
    return pd.DataFrame(
        {
            "Aim": orders,
            "What the paper set out to do (¶4)": list(rows["aim"]),
            "The paper's answer (our summary)": [answers[o][0] for o in orders],
            "Paper": [answers[o][1] for o in orders],
            "Where in this book": ["; ".join(context.ref(c) for c in chapters[o]) for o in orders],
        }
    )
