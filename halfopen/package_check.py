"""Validating the data package with ``frictionless``: :class:`Runner` and its messages.

``frictionless`` reads no file here: :class:`Runner` gives it each table as inline data, the
records :func:`halfopen.reader.read_table` read, each at its row of the file, with the book's
own checks (:mod:`halfopen.rules`) beside the standard's. What it finds becomes one
:class:`halfopen.validation.Problem` per cell, naming the file, row, column, value and rule,
the rule read from the schema (never from frictionless's wording). :func:`package_problems`
checks the descriptor itself against the Data Package profiles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frictionless
from frictionless import Check, Checklist, FrictionlessException

from .reader import Table
from .rules import ALWAYS, RuleError, from_entry
from .validation import (
    CONSTRAINTS,
    Problem,
    broken_constraint,
    canonical_hint,
    constraint_rule,
    display,
    typed,
    value_note,
    width_problem,
)

#: When one cell has several problems, the one said: ours (the most precise), then the standard's.
_RANK = {"halfopen-strict": 0, "type-error": 1, "constraint-error": 2, "foreign-key": 3}


def package_problems(descriptor_path: Path) -> list[Problem]:
    """The descriptor's breaches of the Data Package standard (profiles, properties)."""
    shown = display(descriptor_path)
    try:
        package = frictionless.Package(str(descriptor_path))
    except FrictionlessException as exc:
        return [Problem(shown, f"is not a valid data package: {exc.error.message}")]
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        return [Problem(shown, f"breaks the Data Package standard: {e.message}") for e in exc.to_errors()]
    return []


class Runner:
    """Validate the resources of one data package with frictionless, as :class:`Problem` lists.

    :meth:`resource_problems` validates one table (``Resource.validate`` with a
    :class:`frictionless.Checklist` of the checks above) and words every error as the book does.
    frictionless reads no file: each resource is given as inline data, the records
    :func:`halfopen.reader.read_table` read (``tables``), each at its row of the file, so
    what is validated is exactly what :func:`halfopen.data.load` reads.
    """

    def __init__(self, descriptor_path: Path, descriptor: dict[str, Any], tables: dict[str, Table]):
        self.shown, self.descriptor, self.tables = display(descriptor_path), descriptor, tables
        self.package: frictionless.Package | None = None

    def _inline(self) -> frictionless.Package:
        """The package with each table that was read as inline data (its header row named)."""
        resources = []
        for res in self.descriptor["resources"]:
            table = self.tables.get(res.get("name"))
            if table is not None:  # a table that did not read is never validated nor referred to
                res = {k: v for k, v in res.items() if k not in ("path", "format", "encoding")}
                res["data"] = table.records()
                res["dialect"] = {**res.get("dialect", {}), "headerRows": [table.header_row]}
            resources.append(res)
        return frictionless.Package.from_descriptor({**self.descriptor, "resources": resources})

    def resource_problems(self, res: dict[str, Any]) -> list[Problem]:
        """Every problem of resource ``res`` (whose table is in ``tables``)."""
        checks: list[Check] = [cls() for cls in ALWAYS]
        for entry in res.get("checks", []):
            try:
                checks.append(from_entry(entry))
            except (KeyError, TypeError) as exc:
                return [
                    Problem(self.shown, f"table '{res['name']}' has a check the book doesn't know: {entry} ({exc})")
                ]
        try:
            self.package = self.package or self._inline()
            report = self.package.get_resource(res["name"]).validate(Checklist(checks=checks))
        except FrictionlessException as exc:  # e.g. a check names a table the package lacks
            return [Problem(self.shown, f"table '{res['name']}' can't be validated: {exc.error.message}")]
        found = [e for task in report.tasks for e in task.errors] + list(report.errors)
        return _words(found, res, self.tables)


def _words(found: list, res: dict[str, Any], tables: dict[str, Table]) -> list[Problem]:
    """frictionless errors as :class:`Problem` objects, one per cell, in the order of the rows."""
    table = tables[res["name"]]
    shown = table.shown
    fields = res["schema"]["fields"]
    by_name = {f["name"]: f for f in fields}
    short = {e.row_number for e in found if e.type in ("missing-cell", "extra-cell")}
    ranked: list[tuple[int, int, Problem]] = []
    for error in found:
        number = getattr(error, "row_number", None)
        if number in short:
            if error.type in ("missing-cell", "extra-cell") and not any(p.row == number for _, _, p in ranked):
                ranked.append((number, -1, width_problem(number, list(error.cells), fields, shown)))
            continue
        ranked.append((number or 0, _RANK.get(error.type, 9), _problem(error, res, by_name, tables)))
    # one problem per cell: ours first, then type, constraint, foreign key; rules across cells all
    best: dict[tuple, int] = {}
    for number, rank, p in ranked:
        if p.column is not None and rank < 9:
            best[(number, p.column)] = min(rank, best.get((number, p.column), 9))
    out, said = [], set()
    for number, rank, p in sorted(ranked, key=lambda item: item[0]):
        cell = (number, p.column)
        if cell in best:
            if rank > best[cell] or (rank < 9 and cell in said):
                continue
            said.add(cell)
        out.append(p)
    return out


def _first_with_key(table: Table, fields: list[dict[str, Any]], key: list[str], values: list[str], before: int) -> int:
    """The row of ``table`` above row ``before`` whose ``key`` columns hold ``values`` (read as
    their types, as the standard compares keys), or 0 when there is none."""
    kinds = {f["name"]: f.get("type", "string") for f in fields}
    columns = [table.header.index(k) for k in key if k in table.header]
    if len(columns) != len(key):
        return 0

    def read(raw: str, name: str) -> Any:
        raw = raw.strip()  # the standard reads " 2019" as 2019 (the book refuses the space elsewhere)
        return raw if value_note(raw, kinds[name]) else typed(raw, kinds[name])

    wanted = [read(v, k) for v, k in zip(values, key)]
    for number, cells in table.rows:
        if number >= before:
            break
        if [read(cells[j] if j < len(cells) else "", k) for j, k in zip(columns, key)] == wanted:
            return number
    return 0


def _problem(error: Any, res: dict[str, Any], by_name: dict, tables: dict[str, Table]) -> Problem:
    """One frictionless error in the book's words: its kind and place are frictionless's, the
    rule is said from the schema (``datapackage.json``) and the table's own rows."""
    table = tables[res["name"]]
    shown = table.shown
    number = getattr(error, "row_number", None)
    cells = list(getattr(error, "cells", []) or [])
    names = [f["name"] for f in res["schema"]["fields"]]

    def raw(name: str) -> str:
        j = names.index(name)
        return cells[j] if j < len(cells) else ""

    if isinstance(error, RuleError):
        return Problem(shown, error.note, row=number, column=error.field_name, value=error.cell)
    if error.type == "type-error":
        fld = by_name[error.field_name]
        text = raw(error.field_name)
        rule = value_note(text, fld.get("type", "string")) or f"must be of type {fld.get('type')}"
        return Problem(shown, rule, row=number, column=error.field_name, value=text)
    if error.type == "constraint-error":
        fld = by_name[error.field_name]
        text = raw(error.field_name)
        name = broken_constraint(text, fld)
        if name is None:  # the schema's constraints, as the standard defines them, all hold
            named = [c for c in CONSTRAINTS if c in fld.get("constraints", {})]
            rule = "breaks a constraint of its column: " + "; ".join(constraint_rule(fld, c) for c in named)
        else:
            rule = constraint_rule(fld, name)
        if name == "enum":
            rule += canonical_hint(text, [str(v) for v in fld["constraints"]["enum"]])
        return Problem(shown, rule, row=number, column=error.field_name, value=text)
    if error.type == "primary-key":
        key = res["schema"].get("primaryKey") or []
        key = [key] if isinstance(key, str) else list(key)
        values = [raw(k) for k in key]
        row = _first_with_key(table, res["schema"]["fields"], key, values, number or 0)
        first = f" of row {row}" if row else ""
        return Problem(
            shown,
            f"duplicates the key ({', '.join(f'{k}={v}' for k, v in zip(key, values))}){first}",
            row=number,
            column="+".join(key),
            value=", ".join(values),
        )
    if error.type == "foreign-key":
        column = error.field_names[0] if len(error.field_names) == 1 else "+".join(error.field_names)
        value = ", ".join(raw(f) for f in error.field_names)
        target, target_fields = error.reference_name, error.reference_field_names
        hint = ""
        if len(target_fields) == 1:
            try:
                hint = canonical_hint(value, tables[target].column(target_fields[0]), listed=True)
            except Exception:  # the hint is a courtesy; the problem stands without it
                hint = ""
        return Problem(
            shown,
            f"is not a {'+'.join(target_fields)} listed in table '{target}'{hint}",
            row=number,
            column=column,
            value=value,
        )
    column = getattr(error, "field_name", None) or None
    value = getattr(error, "cell", None) if column else None
    return Problem(shown, f"{error.title}: {error.message}", row=number, column=column, value=value)
