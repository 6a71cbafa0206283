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


def anchor(name: str) -> str:
    """The label of a table's own section of the appendix: ``data-freedom-house``."""
    return "data-" + name.replace("_", "-")


#: Where the book's site offers each table for download, relative to the appendix's page
#: (``halfopen_book.datafiles`` copies the tables there while the book is built).
DOWNLOAD_DIR = "../data"


def _sources_markdown(res: dict[str, Any]) -> str:
    """The sources of a table as MyST: publisher and title, linked to the source's address."""
    parts = []
    for s in res.get("sources", []):
        text = tables.escape(s.get("title", ""))
        if s.get("publisher"):
            text = f"{tables.escape(s['publisher'])}: {text}"
        if s.get("path"):
            text = f"[{text}](<{s['path']}>)"
        if s.get("edition"):
            text += f", edition {tables.escape(s['edition'])}"
        if s.get("retrieved"):
            text += f"; retrieved {tables.escape(s['retrieved'])}"
        parts.append(text)
    return "; ".join(parts)


def _written(res: dict[str, Any]) -> str:
    """When the table was written: its ``created`` date, the day the file was first committed."""
    created = res.get("created")
    if not created:
        return "not recorded"
    return f"{tables.escape(str(created))} (first committed to the book's repository)"


def _licences(res: dict[str, Any]) -> str:
    return "; ".join(l.get("title", l.get("name", "")) for l in res.get("licenses", []))


def overview(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per table: its file, what it holds, its rows, and the paper's place for it.

    Source, edition and licence are in each table's own section (:func:`columns_markdown`),
    which the file name links to, so the overview fits a page.
    """
    rows = []
    for res in data.descriptor(data_dir)["resources"]:
        frame = data.load(res["name"], data_dir)
        rows.append(
            {
                "Table": res["path"],
                "What it holds": res.get("title", res["name"]),
                "Rows": len(frame),
                "In the paper": res.get("paper") or "not in the paper",
            }
        )
    return pd.DataFrame(rows)


def overview_links(data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """``links`` for :func:`halfopen.tables.show` of the overview: each file to its section."""
    by_path = {res["path"]: res["name"] for res in data.descriptor(data_dir)["resources"]}
    return {"Table": lambda row: anchor(by_path[row[0]])}


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


def columns_markdown(data_dir: str | os.PathLike | None = None, appendix: str = "A1", first: int = 2) -> str:
    """The appendix's per-table part: for every table a heading (a rubric whose label,
    :func:`anchor`, the chapters' ``data/…`` links point to), its description, source,
    edition, place in the paper, the date it was written (``created``) and licence, a link
    to download it as CSV, its rules across columns, and a numbered table of its columns.

    The tables of columns are numbered as the appendix's tables are, by its letter:
    ``Table A1.2`` onwards (``appendix``, ``first``), after the overview, Table A1.1.

    All text from the descriptor is escaped, so a description can't inject markup.
    """
    parts = []
    for i, name in enumerate(data.table_names(data_dir)):
        res = data.resource(name, data_dir)
        path = tables.escape(res["path"])
        facts = [
            f"*Source:* {_sources_markdown(res) or 'the book'}.",
            f"*In the paper:* {tables.escape(res.get('paper') or 'not in the paper')}.",
            f"*Written:* {_written(res)}.",
            f"*Licence:* {tables.escape(_licences(res) or 'not stated')}.",
            f'<a href="{DOWNLOAD_DIR}/{res["path"]}" download="{res["path"]}">Download {res["path"]} (CSV)</a>',
        ]
        parts.append(
            f"```{{rubric}} {path}\n:name: {anchor(name)}\n:heading-level: 3\n```\n\n"
            f"{tables.escape(res.get('description', ''))}\n\n"
            + "\n".join(f"{f}\\" if i < len(facts) - 1 else f for i, f in enumerate(facts))
            + "\n"
        )
        checks = checks_text(name, data_dir)
        if checks:
            parts.append(f"*Rules across columns:* {tables.escape(checks)}\n")
        parts.append(
            tables.markdown_table(
                columns(name, data_dir),
                caption=f"Columns of {path}",
                label=f"tbl-columns-{name.replace('_', '-')}",
                index=False,
                number=f"{appendix}.{first + i}",
            )
        )
    return "\n".join(parts)
