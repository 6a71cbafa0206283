"""Tables as the book shows them: numbered, captioned, labelled, with a source line.

:func:`show` turns a DataFrame into a MyST ``{table}`` directive emitted as a Markdown output;
myst-nb parses it (``nb_render_markdown_format: myst``), so the table is a real numbered
table that other chapters can cross-reference with ``{numref}``. Every cell is escaped, so
text from data (``<script>``, ``*``, ``|``) shows as the text it is.
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
) -> str:
    """The MyST source of a numbered table (caption and label) with an optional source line.

    ``formats`` maps a column to a format spec (``"{:.1f}"``) or a function. The caption and
    source are MyST (they may hold citations and links); cells are escaped.
    """
    formats = formats or {}
    align = align or {}
    data = frame.reset_index() if index else frame
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

    lines = [
        f":::{{table}} {caption}",
        f":name: {label}",
        ":align: left",
        "",
        "| " + " | ".join(escape(c) for c in columns) + " |",
        "| " + " | ".join(rule(c) for c in data.columns) + " |",
    ]
    for row in data.itertuples(index=False):
        lines.append("| " + " | ".join(fmt(c, v) for c, v in zip(columns, row)) + " |")
    lines.append(":::")
    if source:
        lines += ["", f"*Source:* {source}"]
    return "\n".join(lines) + "\n"


def show(frame: pd.DataFrame, caption: str, label: str, source: str | None = None, **kwargs) -> Markdown:
    """Display a numbered table in a notebook (see :func:`markdown_table`)."""
    return Markdown(markdown_table(frame, caption, label, source, **kwargs))
