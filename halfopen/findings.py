"""Findings at a glance: the paper's verdict on each policy of the OECD framework (¶13–32).

One entry per policy of the middle column of the paper's Table 2, read from
``policy_findings``: what Kazakhstan adopted, what was obstructed, restricted or left
symbolic, the evidence the paper gives, its paragraphs, and a link to the chapter of this
book that treats the policy. The summaries are ours.

The book's front page shows them as cards (:func:`findings_cards`), one per policy, in a
grid that stacks them on a phone and sets them side by side on a wider screen: five columns
of prose do not fit a phone's width. :func:`findings_table` gives the same entries as a frame.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
from IPython.display import Markdown

from . import tables
from .tables import escape

#: The chapter of this book that treats each section of the paper's findings (¶13–32).
SECTION_CHAPTERS: dict[str, str] = {
    "stronger_civil_society": "ch-civil-society",
    "more_inclusive_decision_making": "ch-inclusive-decision-making",
    "access_to_information": "ch-access-to-information",
    "freedom_of_the_press": "ch-freedom-of-the-press",
    "access_to_public_services": "ch-public-services",
    "anti_corruption_measures": "ch-anti-corruption",
}

#: The columns of :func:`findings_table`, as the reader sees them.
COLUMNS = ("Policy area", "Adopted", "Obstructed, restricted or left symbolic", "Evidence", "¶")


def chapter_link(text: str, label: str) -> str:
    """A MyST link to a chapter label with its own text: ``{ref}`text <label>```."""
    if not re.fullmatch(r"ch-[a-z0-9-]+", label):
        raise ValueError(f"not a chapter label: {label!r}")
    if re.search(r"[`<>{}]", text):
        raise ValueError(f"link text may not hold `, <, > or braces: {text!r}")
    return f"{{ref}}`{text} <{label}>`"


def findings_table(findings: pd.DataFrame, chapters: Mapping[str, str] = SECTION_CHAPTERS) -> pd.DataFrame:
    """The findings, one row per policy in the table's order, each linked to its chapter.

    The ``Policy area`` column is markup (show with ``myst_columns=["Policy area"]``). A
    section without a chapter in ``chapters`` is an error, not a row without a link: a reader
    who adds a policy must say where the book treats it.
    """
    rows = findings.sort_values("order")
    unknown = [s for s in rows["section"] if s not in chapters]
    if unknown:
        raise KeyError(f"no chapter given for section(s) {unknown}; add them to the chapters mapping")
    return pd.DataFrame(
        {
            COLUMNS[0]: [chapter_link(p, chapters[s]) for p, s in zip(rows["policy"], rows["section"])],
            COLUMNS[1]: list(rows["adopted"]),
            COLUMNS[2]: list(rows["held_back"]),
            COLUMNS[3]: list(rows["evidence"]),
            COLUMNS[4]: [tables.paragraphs_text(p) for p in rows["paragraphs"]],
        }
    )


#: What each card says, by the column of ``policy_findings`` that holds it.
CARD_ROWS = (("adopted", "Adopted"), ("held_back", "Obstructed, restricted or left symbolic"), ("evidence", "Evidence"))


def findings_cards(findings: pd.DataFrame, chapters: Mapping[str, str] = SECTION_CHAPTERS) -> str:
    """The findings as MyST cards (sphinx-design's ``grid`` and ``grid-item-card``), in order.

    Each card is titled by its policy area, linked to its chapter, and says what was adopted,
    what was held back and on what evidence; its footer gives the paragraphs. The grid has one
    column on a phone and two from a tablet's width up. Text from the data is escaped.
    """
    table = findings_table(findings, chapters)
    rows = findings.sort_values("order")
    lines = [":::::{grid} 1 1 2 2", ":gutter: 3", ":class-container: findings-cards", ""]
    for link, paragraphs, (_, row) in zip(table[COLUMNS[0]], table[COLUMNS[4]], rows.iterrows()):
        lines += [f"::::{{grid-item-card}} {link}", ":class-card: findings-card", ""]
        for column, name in CARD_ROWS:
            lines += [f"**{name}:** {escape(row[column])}", ""]
        lines += [":::{card-footer}", paragraphs, ":::", "::::", ""]
    lines.append(":::::")
    return "\n".join(lines) + "\n"


def show_cards(findings: pd.DataFrame, chapters: Mapping[str, str] = SECTION_CHAPTERS) -> Markdown:
    """Display the findings as cards in a notebook (see :func:`findings_cards`)."""
    return Markdown(findings_cards(findings, chapters))
