"""Access to public services (¶28–30), anti-corruption measures (¶31–32) and the conclusion (¶46).

Plain functions behind chapters 09, 10 and 12. They build on :mod:`halfopen.paper_figures`
(stated counts that keep their qualifier, dated events) and :mod:`halfopen.context` (tables
whose cells carry chapter links), and add what these three chapters need:

- the counts of one section of ``paper_figures``, as prose and as a table, each count with
  its qualifier (the counts are of different things, so the book draws no chart of them);
- how many years lie between two dated events (the events themselves live in
  :mod:`halfopen.events`);
- the conclusion's reading of the paper: its answer to each of the three aims (¶4), in our
  words, with the paragraphs each answer rests on and the chapters that cover it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from . import context, events, paper_figures, tables

#: The ``section`` codes of the two chapters on implementation this module serves.
PUBLIC_SERVICES = "access_to_public_services"
ANTI_CORRUPTION = "anti_corruption_measures"

# --------------------------------------------------------------------------- stated counts


def section_keys(figures: pd.DataFrame, section: str) -> list[str]:
    """Keys of the counts ``paper_figures`` holds for ``section``, in the table's order.

    An unknown section is an error; a known section without counts gives an empty list
    (the paper states no count there, and the chapter says so).
    """
    if section not in events.SECTION_TITLES:
        raise ValueError(f"unknown section {section!r}; known: {', '.join(events.SECTION_TITLES)}")
    return [str(k) for k in figures.loc[figures["section"] == section, "key"]]


def stated_counts(figures: pd.DataFrame, section: str) -> dict[str, str]:
    """Each count of ``section`` as prose shows it, qualifier kept: ``{key: "more than 700"}``."""
    return {key: paper_figures.stated(figures, key) for key in section_keys(figures, section)}


def section_figures_table(figures: pd.DataFrame, section: str) -> pd.DataFrame:
    """The counts of ``section`` as a reader's table (see :func:`halfopen.paper_figures.figures_table`)."""
    keys = section_keys(figures, section)
    if not keys:
        raise ValueError(f"paper_figures holds no counts for section {section!r}")
    return paper_figures.figures_table(figures, keys)


# --------------------------------------------------------------------------- dated events


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
    :func:`halfopen.tables.show_myst_table` and ``myst_columns=["Where in this book"]``).
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
            "Where in this book": ["; ".join(tables.ref(c) for c in chapters[o]) for o in orders],
        }
    )
