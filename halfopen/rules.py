"""The book's own checks, written as ``frictionless`` custom checks (:class:`frictionless.Check`).

``frictionless`` checks what the Table Schema standard declares: types, ``constraints``
(required, minimum, maximum, enum, pattern, maxLength), primary and foreign keys, the
number of cells. It reads no file: :class:`halfopen.package_check.Runner` gives it each
table as inline data, the records :func:`halfopen.reader.read_table` read, which are the
records :func:`halfopen.data.load` types. The checks here are what it does not check:

- the project's rules across cells, named in a resource's ``checks`` in
  ``data/datapackage.json`` (a total that is the sum of its parts, a status its ratings give,
  ranges in order and apart, an end not before its start, diagram boxes that don't overlap):
  :data:`RULES`, built from a descriptor entry by :func:`from_entry`;
- :class:`strict_cells`: cells the standard reads but the book refuses, because a reader
  would not read them the same way (``NaN``, ``INF``, full-width or Arabic-Indic digits,
  whole numbers beyond 64 bits, spaces around a value, a NUL character); what it accepts,
  :func:`halfopen.validation.typed` reads as the standard does, so the loader's values are
  the values validated;
- :class:`canonical_names`: a column other tables refer to holds each name once, in one
  spelling (``Kazakhstan`` and ``kazakhstan`` would be two countries to the standard).

Each check yields :class:`RuleError` objects (a frictionless cell error) whose ``note`` is the
rule in words and whose ``cell`` is the cell's text as the file writes it. This module imports
:mod:`frictionless`; :mod:`halfopen.data` imports it only when it has tables to validate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import pandas as pd
from frictionless import Check, errors

from . import derive
from .validation import (
    fold,
    value_note,
)


class RuleError(errors.CellError):
    """A cell breaks one of the book's rules (see :mod:`halfopen.rules`)."""

    type = "halfopen-rule"
    title = "Rule of the book"
    description = "A cell breaks a rule of the book's data package that the standard does not check."
    template = 'Row "{rowNumber}", field "{fieldName}", cell "{cell}": {note}'


class StrictError(RuleError):
    """A cell the standard reads but the book refuses (see :class:`strict_cells`)."""

    type = "halfopen-strict"
    title = "Cell the book refuses"
    description = "The standard reads this cell, but a reader would not read it as the same value."


def _raw(row: Any, field: str) -> str:
    """The text of ``field``'s cell in ``row`` as the file writes it ('' when empty or absent).

    ``row.cells`` are the texts :func:`halfopen.reader.read_table` read (the inline data)."""
    j = row.field_names.index(field)
    return row.cells[j] if j < len(row.cells) else ""


def rule_error(
    row: Any, field: str, note: str, cells: list | None = None, number: int | None = None, cls: type = RuleError
) -> RuleError:
    """A :class:`RuleError` at ``field`` of ``row`` (or of the row saved as ``cells``/``number``)."""
    raw = list(row.cells) if cells is None else cells
    j = row.field_names.index(field)
    return cls(
        note=note,
        cells=raw,
        row_number=row.row_number if number is None else number,
        cell=raw[j] if j < len(raw) else "",
        field_name=field,
        field_number=j + 1,
    )


def _clean(row: Any) -> bool:
    """The row has no error from frictionless and no cell :class:`strict_cells` refuses."""
    if not row.valid:
        return False
    for field in row.fields:
        if value_note(_raw(row, field.name), field.type):
            return False
    return True


# --------------------------------------------------------------------------- checks on every table


@attrs.define(kw_only=True, repr=False)
class strict_cells(Check):
    """Cells the standard reads but a reader would not read the same way."""

    type = "halfopen-strict-cells"
    Errors = [StrictError]

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        for field in row.fields:
            raw = _raw(row, field.name)
            note = value_note(raw, field.type)
            if note:
                yield rule_error(row, field.name, note, cls=StrictError)


@attrs.define(kw_only=True, repr=False)
class canonical_names(Check):
    """Columns other tables refer to hold each name once, in one spelling.

    ``Kazakhstan`` and ``kazakhstan `` in ``countries.csv`` would be two countries to the
    standard and one to a reader; refused, naming the row that spelled it first.
    """

    type = "halfopen-canonical-names"
    Errors = [RuleError]

    def validate_start(self) -> Iterable[errors.Error]:
        self._columns: list[str] = []
        self._seen: dict[str, dict[str, tuple[int, str]]] = {}
        package = self.resource.package
        if package is None:
            return []
        names = set(self.resource.schema.field_names)
        columns = set()
        for other in package.resources:
            for fk in other.schema.foreign_keys if other.schema else []:
                if fk["reference"]["resource"] == self.resource.name:
                    columns.update(f for f in fk["reference"]["fields"] if f in names)
        self._columns = sorted(columns)
        self._seen = {c: {} for c in self._columns}
        return []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        for column in self._columns:
            text = _raw(row, column)
            if not text:
                continue
            key = fold(text)
            seen = self._seen[column]
            if key in seen:
                first_row, first = seen[key]
                how = "repeats" if first == text else "is another spelling of"
                yield rule_error(
                    row,
                    column,
                    f"{how} {first!r} of row {first_row}; other tables refer to this column, "
                    "so each name must appear once, in one spelling",
                )
            else:
                seen[key] = (row.row_number, text)


# --------------------------------------------------------------------------- the descriptor's checks


@attrs.define(kw_only=True, repr=False)
class sum_rule(Check):
    """``total`` equals the sum of ``parts`` wherever all of them are given."""

    type = "sum"
    Errors = [RuleError]
    total: str
    parts: list[str]

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        values = [row[p] for p in self.parts]
        if not _clean(row) or row[self.total] is None or any(v is None for v in values):
            return
        expected = sum(int(v) for v in values)
        if int(row[self.total]) != expected:
            yield rule_error(row, self.total, f"must equal {' + '.join(self.parts)} = {expected}")


@attrs.define(kw_only=True, repr=False)
class freedom_status_rule(Check):
    """``status`` agrees with the status the PR and CL ratings give (Table 1, notes)."""

    type = "freedom_status"
    Errors = [RuleError]
    status: str
    pr: str
    cl: str
    thresholds: str = "freedom_status_thresholds"

    def validate_start(self) -> Iterable[errors.Error]:
        table = self.resource.package.get_resource(self.thresholds).to_copy()
        rows = [{k: (float(v) if k.startswith("rating") else v) for k, v in r.items()} for r in table.read_rows()]
        self._bands = pd.DataFrame(rows)
        return []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not _clean(row):
            return
        pr, cl = row[self.pr], row[self.cl]
        rating = derive.freedom_rating(pr, cl)
        try:
            expected = derive.freedom_status(rating, self._bands)
        except ValueError:
            yield rule_error(
                row,
                self.status,
                f"PR {pr} and CL {cl} give a freedom rating of {rating:.1f}, "
                "which lies in no status band of the thresholds table",
            )
            return
        if row[self.status] != expected:
            yield rule_error(
                row,
                self.status,
                f"contradicts the ratings: PR {pr} and CL {cl} give a freedom rating of {rating:.1f}, "
                f"status {expected}",
            )


@attrs.define(kw_only=True, repr=False)
class ordered_range_rule(Check):
    """``low`` <= ``high`` on every row, and within each ``group`` the ranges don't overlap."""

    type = "ordered_range"
    Errors = [RuleError]
    low: str
    high: str
    group: str | None = None

    def validate_start(self) -> Iterable[errors.Error]:
        self._rows: list[tuple] = []
        self._clean = True
        return []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not _clean(row):
            self._clean = False
            return
        low, high = row[self.low], row[self.high]
        if low > high:
            yield rule_error(row, self.low, f"must not be above '{self.high}' ({_raw(row, self.high)})")
        group = row[self.group] if self.group else None
        self._rows.append((group, low, high, row.row_number, list(row.cells), _raw(row, self.high), row))

    def validate_end(self) -> Iterable[errors.Error]:
        if not self._clean:
            return
        groups: dict[Any, list[tuple]] = {}
        for item in self._rows:
            groups.setdefault(item[0], []).append(item)
        for part in groups.values():
            prev = None
            for _, low, high, number, cells, high_text, row in sorted(part, key=lambda item: item[1]):
                if prev is not None and low <= prev[1]:
                    yield rule_error(
                        row,
                        self.low,
                        f"overlaps the range of row {prev[0]} (which ends at {prev[2]})",
                        cells=cells,
                        number=number,
                    )
                prev = (number, high, high_text)


@attrs.define(kw_only=True, repr=False)
class not_before_rule(Check):
    """``later`` is empty or not before ``earlier`` (an end year after its start year)."""

    type = "not_before"
    Errors = [RuleError]
    earlier: str
    later: str

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not _clean(row):
            return
        earlier, later = row[self.earlier], row[self.later]
        if later is not None and earlier is not None and later < earlier:
            yield rule_error(row, self.later, f"must not be before '{self.earlier}' ({_raw(row, self.earlier)})")


@attrs.define(kw_only=True, repr=False)
class boxes_apart_rule(Check):
    """The boxes of Figure 1 (``diagram_nodes.csv``) don't overlap as the diagram draws them.

    Each box is placed and sized by :func:`halfopen.diagram.layout` (its grid ``column`` and
    ``row``, its height from its wrapped ``label`` and ``detail``), so this rule and the
    drawing agree; two boxes overlap when their rectangles do.
    """

    type = "boxes_apart"
    Errors = [RuleError]

    def validate_start(self) -> Iterable[errors.Error]:
        self._rows: list[Any] = []
        self._clean = True
        return []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not _clean(row):
            self._clean = False
        else:
            self._rows.append((row.row_number, list(row.cells), row, row.to_dict()))
        return []

    def validate_end(self) -> Iterable[errors.Error]:
        if not self._clean or not self._rows:
            return
        from . import diagram  # imports matplotlib: only when this table is validated

        boxes = []
        for number, cells, row, values in self._rows:
            values = {k: (float(v) if k in ("column", "row") else v) for k, v in values.items()}
            box = diagram.layout(pd.DataFrame([values]))[values["id"]]
            boxes.append((number, cells, row, values, box))
        for i, (na, _, _, a, p) in enumerate(boxes):
            for nb, cells, row, b, q in boxes[i + 1 :]:
                if abs(p.x - q.x) < (p.width + q.width) / 2 and abs(p.y - q.y) < (p.height + q.height) / 2:
                    yield rule_error(
                        row,
                        "row",
                        f"box '{b['id']}' (column {b['column']:g}, row {b['row']:g}) overlaps box '{a['id']}' "
                        f"of row {na} (column {a['column']:g}, row {a['row']:g}) in the drawn diagram; "
                        "move one of them (its column or row)",
                        cells=cells,
                        number=nb,
                    )


#: The descriptor's check types, each with its frictionless check.
RULES: dict[str, type[Check]] = {
    "sum": sum_rule,
    "freedom_status": freedom_status_rule,
    "ordered_range": ordered_range_rule,
    "not_before": not_before_rule,
    "boxes_apart": boxes_apart_rule,
}


def from_entry(entry: dict[str, Any]) -> Check:
    """The frictionless check for one entry of a resource's ``checks`` (raises KeyError/TypeError)."""
    cls = RULES[entry["type"]]
    return cls(**{k: v for k, v in entry.items() if k != "type"})


#: The checks run on every table, beside the descriptor's own.
ALWAYS = (strict_cells, canonical_names)
