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
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import Markdown

_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:;'\"=^%@/?,])")


def escape(text: Any) -> str:
    """Text that MyST shows literally: every ASCII punctuation mark backslash-escaped."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    out = _PUNCT.sub(r"\\\1", str(text))
    return out.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


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
    keep: tuple[str, ...] | bool = (),
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

    A column that holds the same value in every row (of two or more) is not shown: the source
    line says that value once ("¶ 13 in every row"). The first column, which names the rows,
    and the columns in ``keep`` stay (``keep=True``: all, e.g. a table laid out as the paper's).
    """
    formats = formats or {}
    align = align or {}
    links = links or {}
    data = frame.reset_index() if index else frame
    constant = []
    if keep is not True and len(data) >= 2:
        for col in list(data.columns)[1:]:
            values = data[col]
            if str(col) in keep or values.isna().any() or values.astype(str).nunique() != 1:
                continue
            constant.append((str(col), values.iloc[0]))
        data = data.drop(columns=[c for c in data.columns if str(c) in dict(constant)])
    columns = [str(c) for c in data.columns]

    def fmt(col: str, value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return "–"
        f = formats.get(col)
        if f is None:
            return escape(value)
        return escape(f(value) if callable(f) else f.format(value))

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
    same = "; ".join(f"¶{fmt(c, v)}" if c == "¶" else f"{escape(c)}: {fmt(c, v)}" for c, v in constant)
    if same:
        same = f"In every row: {same}."
    if source or same:
        lines += ["", " ".join(filter(None, [f"*Source:* {source}" if source else "", same]))]
    return "\n".join(lines) + "\n"


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
