"""The Data sources appendix, generated from the same descriptor the loader validates with.

Because the page and :func:`halfopen.data.load` read one ``datapackage.json``, what the book
says about a table (its source, edition, paper paragraph, licence, columns and rules) cannot
drift from what the loader enforces.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from . import data, tables


def _sources_text(res: dict[str, Any]) -> str:
    parts = []
    for s in res.get("sources", []):
        text = s.get("title", "")
        if s.get("publisher"):
            text = f"{s['publisher']}: {text}"
        if s.get("edition"):
            text += f" (edition {s['edition']})"
        if s.get("path"):
            text += f" <{s['path']}>"
        if s.get("retrieved"):
            text += f", retrieved {s['retrieved']}"
        parts.append(text)
    return "; ".join(parts)


def overview(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per table: file, what it holds, rows, source, paper reference, licence."""
    rows = []
    for res in data.descriptor(data_dir)["resources"]:
        frame = data.load(res["name"], data_dir)
        rows.append(
            {
                "File": f"data/{res['path']}",
                "What it holds": res.get("title", res["name"]),
                "Rows": len(frame),
                "Source": _sources_text(res),
                "Paper": res.get("paper") or "(not in the paper)",
                "Licence": "; ".join(l.get("title", l.get("name", "")) for l in res.get("licenses", [])),
            }
        )
    return pd.DataFrame(rows)


def _constraint_text(field: dict[str, Any]) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']} to {c['maximum']}")
    elif "minimum" in c:
        parts.append(f"at least {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"at most {c['maximum']}")
    if "enum" in c:
        parts.append("one of " + ", ".join(str(v) for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"pattern {c['pattern']}")
    if "maxLength" in c:
        parts.append(f"at most {c['maxLength']} characters")
    return "; ".join(parts)


def columns(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The columns of one table: name, meaning, type and the rules the loader checks."""
    res = data.resource(name, data_dir)
    schema = res["schema"]
    keys = schema.get("primaryKey", [])
    refs = {fk["fields"]: fk["reference"] for fk in schema.get("foreignKeys", [])}
    rows = []
    for f in schema["fields"]:
        rules = _constraint_text(f)
        if f["name"] in keys:
            rules = "; ".join(filter(None, ["part of the key" if len(keys) > 1 else "the key", rules]))
        if f["name"] in refs:
            ref = refs[f["name"]]
            rules = "; ".join(filter(None, [rules, f"must appear in {ref['resource']}.{ref['fields']}"]))
        rows.append(
            {"Column": f["name"], "Meaning": f.get("title", ""), "Type": f.get("type", "string"), "Rules": rules}
        )
    return pd.DataFrame(rows)


def checks_text(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """The cross-column rules of a table, in words (empty when it has none)."""
    res = data.resource(name, data_dir)
    out = []
    for check in res.get("checks", []):
        kind = check["type"]
        if kind == "sum":
            out.append(f"{check['total']} = {' + '.join(check['parts'])}")
        elif kind == "freedom_status":
            out.append(
                f"{check['status']} must be the status that {check['pr']} and {check['cl']} give (notes to Table 1)"
            )
        elif kind == "ordered_range":
            out.append(f"{check['low']} ≤ {check['high']}, and ranges do not overlap")
        elif kind == "not_before":
            out.append(f"{check['later']} is not before {check['earlier']}")
        elif kind == "boxes_apart":
            out.append("no two boxes overlap where Figure 1 draws them")
        else:
            out.append(kind)
    return "; ".join(out)


def columns_markdown(data_dir: str | os.PathLike | None = None) -> str:
    """The appendix's per-table section: for every table, its file name as a rubric, its
    description, its rules across columns, and a numbered table of its columns.

    All text from the descriptor is escaped, so a description can't inject markup.
    """
    parts = []
    for name in data.table_names(data_dir):
        res = data.resource(name, data_dir)
        path = tables.escape(res["path"])
        parts.append(f"```{{rubric}} {path}\n```\n\n{tables.escape(res.get('description', ''))}\n")
        checks = checks_text(name, data_dir)
        if checks:
            parts.append(f"*Rules across columns:* {tables.escape(checks)}\n")
        parts.append(
            tables.markdown_table(
                columns(name, data_dir),
                caption=f"Columns of {path}",
                label=f"tbl-columns-{name.replace('_', '-')}",
                index=False,
            )
        )
    return "\n".join(parts)
