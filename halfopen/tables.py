"""Tables as the book shows them: numbered, captioned, labelled, with a source line.

:func:`show` turns a DataFrame into a MyST ``{table}`` directive emitted as a Markdown output;
myst-nb parses it (``nb_render_markdown_format: myst``), so the table is a real numbered
table that other chapters can cross-reference with ``{numref}``. Every cell is escaped, so
text from data (``<script>``, ``*``, ``|``) shows as the text it is.

Sphinx numbers every captioned table of a numbered chapter by that chapter ("Table 2.1").
A table that must carry another number (the paper's Table 1, a table of appendix A1) has it
written instead (``number="1"``, ``number="A1.2"``): the caption, number first, is a
paragraph of class ``caption`` just above a table that has no caption of its own, since
Sphinx numbers every table that has one (in a page outside the numbered chapters it would
count them across the whole book: "Table 31"). The label sits on a container around both
(class ``written-caption``), so ``{ref}`` with explicit text reaches it
(``{ref}`Table 1 <tbl-table-1>```), and ``{numref}`` does not.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd
from IPython.display import Markdown

_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:;'\"=^%@/?,])")


def escape(text: Any) -> str:
    """Text that MyST shows literally: every ASCII punctuation mark backslash-escaped."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    out = _PUNCT.sub(r"\\\1", str(text))
    return out.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def minus(text: str) -> str:
    """``text`` with each hyphen-minus before a digit written as a true minus sign (U+2212):
    "−0.08", as typeset, not "-0.08". Ranges ("2012–2019") use an en dash and are left alone."""
    return re.sub(r"-(?=[\d.])", "\u2212", text)


def _stated(column: str, value: Any, source: str) -> bool:
    """Whether ``source`` already names the paragraph a constant column holds ("¶13", "¶28–30")."""
    text = str(value) if str(value).startswith("¶") else f"¶{value}" if column == "¶" else ""
    return bool(text) and re.search(re.escape(text) + r"(?![\d–-])", source) is not None


def markdown_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    source: str | None = None,
    formats: dict[str, Callable[[Any], str] | str] | None = None,
    index: bool = True,
    align: dict[str, str] | None = None,
    links: dict[str, Callable[[Any], str | None]] | None = None,
    marked: Callable[[Any, str, Any], bool] | None = None,
    keep: bool = False,
    same: Mapping[str, str | Callable[[Any], str]] | None = None,
    download: str | None = None,
    number: str | None = None,
) -> str:
    """The MyST source of a numbered table (caption and label) with an optional source line.

    ``number`` None: Sphinx numbers the table by its chapter. A string: the number written
    before the caption (``"1"`` gives "Table 1"; ``""`` no number), and Sphinx leaves the
    table unnumbered (see the module's docstring).

    ``formats`` maps a column to a format spec (``"{:.1f}"``) or a function. The caption and
    source are MyST (they may hold citations and links); cells are escaped. ``links`` maps a
    column to a function of the cell's row (a namedtuple of the shown columns, index first
    when ``index``) giving a link target (a label, or an address) or None; such a cell is a
    link. ``marked(row, column, value)`` says which cells to set in bold, the cell the text
    points at (and only it: bold is for emphasis).

    A column that holds the same value in every row (of two or more) need not take a column's
    width on a phone. A paragraph column goes when the source line already names its paragraph;
    a column in ``same`` goes and its sentence (``"Every count is of {}."``, the value in the
    braces, or a function of the value) is said once under the table instead. Every other column stays, and so does a
    column in ``same`` whose values differ (then no sentence). ``keep=True`` keeps every column
    (a table laid out as the paper's).

    ``download`` names a CSV file (``"half-open-obs.csv"``) of the table as computed: the
    source line then ends with a link that saves it (:func:`csv_link`), for a table a chapter
    computes rather than one of ``data/``, which the site serves as it is.
    """
    formats = formats or {}
    align = align or {}
    links = links or {}
    same = same or {}
    data = frame.reset_index() if index else frame
    said: list[str] = []
    if not keep and len(data) >= 2:
        for col in list(data.columns)[1:]:
            values = data[col]
            if values.isna().any() or values.astype(str).nunique() != 1:
                continue
            if _stated(str(col), values.iloc[0], source or ""):
                data = data.drop(columns=[col])
            elif str(col) in same:
                say = same[str(col)]
                said.append(say(values.iloc[0]) if callable(say) else say.format(values.iloc[0]))
                data = data.drop(columns=[col])
    columns = [str(c) for c in data.columns]

    def fmt(col: str, value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return "–"
        f = formats.get(col)
        text = str(value) if f is None else f(value) if callable(f) else f.format(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            text = minus(text)  # a negative number reads with a true minus sign
        return escape(text)

    def rule(col: str) -> str:
        a = align.get(col)
        if a is None:
            numeric = pd.api.types.is_numeric_dtype(data[col]) and not pd.api.types.is_bool_dtype(data[col])
            a = "right" if numeric else "left"
        return {"left": ":--", "right": "--:", "center": ":-:"}[a]

    if number is None:
        lines = [f":::{{table}} {caption}", f":name: {label}"]
    else:
        written = f"*Table {number}* {caption}" if number else caption
        caption_class = ["```{rst-class} caption", "```", ""]  # styled as Sphinx's captions are
        lines = ["::::{container} written-caption", f":name: {label}", "", *caption_class, written, "", ":::{table}"]
    lines += [
        ":align: left",
        "",
        "| " + " | ".join(escape(c) for c in columns) + " |",
        "| " + " | ".join(rule(c) for c in data.columns) + " |",
    ]

    def cell(row: Any, col: str, value: Any) -> str:
        text = fmt(col, value)
        target = links[col](row) if col in links else None
        if target:
            text = f"[{text}](<{target}>)"
        if marked is not None and marked(row, col, value):
            text = f"**{text}**"
        return text

    for row in data.itertuples(index=False, name="Row"):
        lines.append("| " + " | ".join(cell(row, c, v) for c, v in zip(columns, row)) + " |")
    lines.append(":::")
    if number is not None:
        lines.append("::::")
    link = csv_link(frame if not index else frame.reset_index(), download) if download else ""
    if source or said or link:
        lines += ["", " ".join(filter(None, [f"*Source:* {source}" if source else "", *map(escape, said), link]))]
    return "\n".join(lines) + "\n"


def csv_link(frame: pd.DataFrame, name: str) -> str:
    """An HTML link that saves ``frame`` as the CSV file ``name`` (UTF-8, numbers to ten significant digits).

    The file is in the link itself (a ``data:`` address with the standard ``download``
    attribute), so the table's page carries its own download: nothing is written beside the
    chapter, and the link works in any build of the book. The tables it serves are a few KB.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*\.csv", name):
        raise ValueError(f"not a CSV file name: {name!r} (lower-case letters, digits and hyphens, ending .csv)")
    # Ten significant digits: every digit of the data, none of binary arithmetic's (0.123 - 0.2).
    data = quote(frame.to_csv(index=False, lineterminator="\n", float_format="%.10g"), safe="")
    return f'<a class="table-csv" download="{name}" href="data:text/csv;charset=utf-8,{data}">Download as CSV</a>'


def show(frame: pd.DataFrame, caption: str, label: str, source: str | None = None, **kwargs) -> Markdown:
    """Display a numbered table in a notebook (see :func:`markdown_table`)."""
    return Markdown(markdown_table(frame, caption, label, source, **kwargs))


def rounded(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` rounded half up to whole numbers, as the paper rounds (¶19:
    52.5 is 53); an empty cell stays empty. For a table that must fit: the data keep every
    decimal."""
    from .derive import round_half_up

    out = frame.copy()
    for c in columns:
        out[c] = [pd.NA if pd.isna(v) else round_half_up(v) for v in out[c]]
        out[c] = out[c].astype("Int64")
    return out


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

    Every other column is escaped by :func:`markdown_table` as usual. The
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
    md = markdown_table(work, caption, label, source, **kwargs)
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


# --------------------------------------------------------------------------- text


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: a list as prose (empty: ``none``)."""
    items = [str(i) for i in items]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def paragraphs_text(paragraphs: str) -> str:
    """``"6;28-30"`` as ``"¶6, ¶28–30"``."""
    if not re.fullmatch(r"[0-9]+(-[0-9]+)?(;[0-9]+(-[0-9]+)?)*", str(paragraphs)):
        raise ValueError(f"not a list of paragraphs: {paragraphs!r} (expected e.g. '6;28-30')")
    return ", ".join("¶" + p.replace("-", "–") for p in str(paragraphs).split(";"))
