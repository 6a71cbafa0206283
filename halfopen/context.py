"""The paper's context: its background (¶1–4), case selection (¶7–9) and method (¶10–12).

Plain functions behind chapters 01, 03 and 04: the tables of definitions and aims, the
figures the paper states about the case, Table 2 (the OECD framework) and the study's
sample with its total. Every function takes a table as :func:`halfopen.data.load` returns
it and gives back a frame to show, a value to glue or a :class:`matplotlib.figure.Figure`.

Some table cells carry MyST markup (a citation, a link to a chapter). :mod:`halfopen.tables`
escapes every cell, rightly, for text that comes from data; :func:`myst_table` lets chosen
columns through unescaped, and only ever holds markup this module builds itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from . import derive, paths, tables

# --------------------------------------------------------------------------- MyST in cells

_TOKEN = "HALFOPENMYSTCELL{}X"


def myst_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    source: str | None = None,
    myst_columns: Sequence[str] = (),
    **kwargs,
) -> str:
    """MyST source of a numbered table whose ``myst_columns`` hold markup, not text.

    Every other column is escaped by :func:`halfopen.tables.markdown_table` as usual. The
    markup cells are swapped for plain tokens (letters and digits, which escaping leaves
    alone), the table is made, and the tokens are swapped back. A cell that would break the
    table (a ``|`` or a line break) is refused.
    """
    missing = [c for c in myst_columns if c not in frame.columns]
    if missing:
        raise KeyError(f"no column(s) {missing} in the table; columns are {list(frame.columns)}")
    work = frame.copy()
    markup: dict[str, str] = {}
    for column in myst_columns:
        cells = []
        for value in work[column]:
            text = "" if value is None or value is pd.NA else str(value)
            if "|" in text or "\n" in text:
                raise ValueError(f"column {column!r}: a cell holds '|' or a line break: {text!r}")
            token = _TOKEN.format(len(markup))
            markup[token] = text
            cells.append(token)
        work[column] = cells
    md = tables.markdown_table(work, caption, label, source, **kwargs)
    # Longest tokens first, so that token 1 never replaces the start of token 10.
    for token in sorted(markup, key=len, reverse=True):
        md = md.replace(token, markup[token])
    return md


def show_myst_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    source: str | None = None,
    myst_columns: Sequence[str] = (),
    **kwargs,
) -> Markdown:
    """Display a numbered table with markup columns in a notebook (see :func:`myst_table`)."""
    return Markdown(myst_table(frame, caption, label, source, myst_columns, **kwargs))


def cite(key: str, style: str = "t") -> str:
    """A MyST citation of ``key`` (``{cite:t}`` by default), for a markup cell."""
    if not re.fullmatch(r"[A-Za-z0-9_:-]+", key):
        raise ValueError(f"not a citation key: {key!r}")
    return f"{{cite:{style}}}`{key}`"


def ref(label: str) -> str:
    """A MyST link to a chapter label (``{ref}``), for a markup cell."""
    if not re.fullmatch(r"ch-[a-z0-9-]+", label):
        raise ValueError(f"not a chapter label: {label!r}")
    return f"{{ref}}`{label}`"


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
            "Work": [cite(k) for k in rows["source"]],
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
            "Answered in": ["; ".join(ref(c) for c in chapters[int(o)]) for o in rows["order"]],
            "Paper": [f"¶{p}" for p in rows["paragraph"]],
        }
    )


# --------------------------------------------------------------------------- ch. 03


def paper_figure(figures: pd.DataFrame, key: str) -> pd.Series:
    """The row of ``paper_figures`` with ``key`` (a clear error if there is none)."""
    hits = figures[figures["key"] == key]
    if hits.empty:
        raise KeyError(f"no figure {key!r} in paper_figures; keys: {', '.join(figures['key'])}")
    return hits.iloc[0]


def figure_text(figures: pd.DataFrame, key: str) -> str:
    """A figure the paper states, as prose shows it: thousands separated, qualifier kept.

    ``8800`` stated exactly reads ``8,800``; ``30000`` stated as "more than" reads
    ``more than 30,000``.
    """
    row = paper_figure(figures, key)
    text = f"{int(row['value']):,}"
    return text if row["qualifier"] == "exactly" else f"{row['qualifier']} {text}"


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


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: a list as prose (empty: ``none``)."""
    items = [str(i) for i in items]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
