"""Findings at a glance: the paper's verdict on each policy of the OECD framework (¶13–32).

One row per policy of the middle column of the paper's Table 2, read from
``policy_findings``: what Kazakhstan adopted, what was obstructed, restricted or left
symbolic, the evidence the paper gives, its paragraphs, and a link to the chapter of this
book that treats the policy. The summaries are ours; the table is the book's front page of
findings, so it is shown with the chapter links as markup (:func:`halfopen.context.myst_table`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

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


def paragraphs_text(paragraphs: str) -> str:
    """``"6;28-30"`` as ``"¶6, ¶28–30"``."""
    if not re.fullmatch(r"[0-9]+(-[0-9]+)?(;[0-9]+(-[0-9]+)?)*", str(paragraphs)):
        raise ValueError(f"not a list of paragraphs: {paragraphs!r} (expected e.g. '6;28-30')")
    return ", ".join("¶" + p.replace("-", "–") for p in str(paragraphs).split(";"))


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
            COLUMNS[4]: [paragraphs_text(p) for p in rows["paragraphs"]],
        }
    )
