"""The paper's context: its background (¶1–4), case selection (¶7–9) and method (¶10–12).

Plain functions behind chapters 01, 03 and 04: the tables of definitions and aims, the
figures the paper states about the case, Table 2 (the OECD framework) and the study's
sample with its total. Every function takes a table as :func:`halfopen.data.load` returns
it and gives back a frame to show, a value to glue or a :class:`matplotlib.figure.Figure`.

Some table cells carry MyST markup (a citation, a link to a chapter), made with
:func:`halfopen.tables.cite` and :func:`halfopen.tables.ref` and shown with
:func:`halfopen.tables.show_myst_table`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import derive, paths, tables


def bib_keys(path: str | Path | None = None) -> set[str]:
    """The citation keys of a BibTeX file (by default the book's ``references.bib``)."""
    path = Path(path) if path is not None else paths.ROOT / "references.bib"
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", text))


# --------------------------------------------------------------------------- ch. 01


def definitions_table(definitions: pd.DataFrame) -> pd.DataFrame:
    """The works the paper draws its definitions from, with their framing (¶1–2).

    The ``Work`` column holds a citation (markup: show with ``myst_columns=["Work"]``).
    """
    rows = definitions.sort_values("order")
    return pd.DataFrame(
        {
            "Work": [tables.cite(k) for k in rows["source"]],
            "How it frames open government (our summary)": list(rows["framing"]),
            "Paper": [f"¶{p}" for p in rows["paragraph"]],
        }
    )


#: Where the book answers each of the paper's aims (¶4), by the aim's order. The first aim
#: is answered in the case selection (¶8–9) and the conclusion (¶46); the second in the six
#: chapters on the policies of Table 2 (¶13–32); the third in the discussion (¶33–45).
AIM_CHAPTERS: dict[int, tuple[str, ...]] = {
    1: ("ch-case-selection", "ch-conclusion"),
    2: (
        "ch-civil-society",
        "ch-inclusive-decision-making",
        "ch-access-to-information",
        "ch-freedom-of-the-press",
        "ch-public-services",
        "ch-anti-corruption",
    ),
    3: ("ch-discussion",),
}


def aims_table(aims: pd.DataFrame, chapters: Mapping[int, Sequence[str]] = AIM_CHAPTERS) -> pd.DataFrame:
    """The paper's aims (¶4), each with links to the chapters that answer it.

    The ``Answered in`` column is markup (show with ``myst_columns=["Answered in"]``). An
    aim without an entry in ``chapters`` is an error, not a blank: a reader who adds an aim
    must say where the book answers it.
    """
    rows = aims.sort_values("order")
    unknown = [int(o) for o in rows["order"] if int(o) not in chapters]
    if unknown:
        raise KeyError(f"no chapter given for aim(s) {unknown}; add them to the chapters mapping")
    return pd.DataFrame(
        {
            "Aim": [int(o) for o in rows["order"]],
            "What the paper sets out to do (our summary)": list(rows["aim"]),
            "Answered in": ["; ".join(tables.ref(c) for c in chapters[int(o)]) for o in rows["order"]],
            "Paper": [f"¶{p}" for p in rows["paragraph"]],
        }
    )


# --------------------------------------------------------------------------- ch. 04

#: Column headings of Table 2, in the paper's order.
TABLE_2_COLUMNS = {
    "principle": "Principles of open government",
    "policy": "Open government policies",
    "impact": "Impact of open government",
}

_TERMS = {"short": "short term", "long": "longer term"}


def table_2(framework: pd.DataFrame) -> pd.DataFrame:
    """Table 2 of the paper: principles, policies and impacts side by side (¶10).

    Each column lists its items in order; shorter columns end in blank cells. An impact
    carries its term as the paper groups it ("short term", "longer term").
    """
    columns: dict[str, list[str]] = {}
    for code, heading in TABLE_2_COLUMNS.items():
        part = framework[framework["column"] == code].sort_values("order")
        items = []
        for item, term in zip(part["item"], part["term"]):
            text = str(item)
            if isinstance(term, str) and term:
                text += f" ({_TERMS.get(term, term)})"
            items.append(text)
        columns[heading] = items
    depth = max(len(v) for v in columns.values())
    return pd.DataFrame({h: v + [""] * (depth - len(v)) for h, v in columns.items()})


def framework_items(framework: pd.DataFrame, column: str) -> list[str]:
    """The items of one column of Table 2 (``principle``, ``policy`` or ``impact``), in order."""
    if column not in TABLE_2_COLUMNS:
        raise ValueError(f"column must be one of {', '.join(TABLE_2_COLUMNS)}; got {column!r}")
    return list(framework[framework["column"] == column].sort_values("order")["item"])


_MONTHS = "January February March April May June July August September October November December".split()


def month_text(month: str | None) -> str | None:
    """``2017-10`` as ``October 2017``; no month stays ``None``."""
    if month is None or month is pd.NA or (isinstance(month, float) and pd.isna(month)) or month == "":
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(month))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return f"{_MONTHS[int(match.group(2)) - 1]} {match.group(1)}"


def sample_table(sample: pd.DataFrame) -> pd.DataFrame:
    """The study's sample as the book shows it (¶11): who, method, n, month, place, note."""
    return pd.DataFrame(
        {
            "Who": list(sample["activity"]),
            "Method": [str(k).capitalize() for k in sample["kind"]],
            "Participants": sample["participants"].astype("Int64").reset_index(drop=True),
            "Month": [month_text(m) for m in sample["month"]],
            "Place": list(sample["place"]),
            "Note": list(sample["note"]),
        }
    )


def total_participants(sample: pd.DataFrame) -> int:
    """Participants over the rows that give a number; rows with none are left out, not guessed."""
    return derive.total(sample["participants"])


def rows_without_count(sample: pd.DataFrame) -> list[str]:
    """The activities for which the paper gives no number of participants."""
    return list(sample.loc[sample["participants"].isna(), "activity"])


def participants_by_method(sample: pd.DataFrame) -> dict[str, int]:
    """Participants per method (focus group, interviews, ...), over rows that give a number."""
    counted = sample[sample["participants"].notna()]
    return {str(k): int(v) for k, v in counted.groupby("kind", sort=False)["participants"].sum().items()}


def count_of(sample: pd.DataFrame, kind: str) -> int:
    """How many rows of the sample use ``kind`` (e.g. how many focus groups)."""
    return int((sample["kind"] == kind).sum())
