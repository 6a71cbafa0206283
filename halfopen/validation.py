"""What the book checks itself, beside ``frictionless``: cells, headers, and clear messages.

``frictionless`` (see :mod:`halfopen.rules`) checks what the Table Schema standard declares.
This module holds what it does not do, and needs no ``frictionless`` import:

- :func:`typed`: a cell's text as the value the standard reads (the one CSV reader, whose
  records frictionless validates and :func:`halfopen.data.load` types with it, is
  :func:`halfopen.reader.read_table`);
- :func:`header_problems`: a header that isn't the schema's column names, exactly (the
  standard trims labels, so ``total_score `` would pass), said as missing, renamed, extra,
  repeated or reordered columns;
- the hints that make a message useful: :func:`width_problem` (a decimal comma that split a
  number into two cells), :func:`canonical_hint` (a case variant or look-alike Cyrillic
  letters in a name), :func:`value_note` (why a cell's text is not a number);
- :class:`Problem` and :class:`DataError`: one message naming the file, the row as a
  spreadsheet counts it (the header is row 1), the column, the value and the rule.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths

if TYPE_CHECKING:
    from .reader import Table

MAX_LISTED_PROBLEMS = 10
MAX_LISTED_NAMES = 12


# --------------------------------------------------------------------------- errors


@dataclass
class Problem:
    """One broken rule: where (file, row, column), what (value) and which rule."""

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where)
        if self.value is not None:
            text += f": value {self.value!r}"
        return f"{text}: {self.rule}"


class DataError(ValueError):
    """A table broke its descriptor. ``problems`` lists every broken rule found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        self.file, self.row, self.column = first.file, first.row, first.column
        self.value, self.rule = first.value, first.rule
        lines = [str(p) for p in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS} more problems")
        header = "Invalid data" if len(problems) == 1 else f"Invalid data ({len(problems)} problems)"
        super().__init__(f"{header}:\n  " + "\n  ".join(lines))

    def __reduce__(self):
        return (DataError, (self.problems,))


def display(path: Path) -> str:
    """A path as a reader recognises it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- cells

# ASCII digits only: ``\d``, ``int()`` and ``float()`` also take Arabic-Indic or full-width
# digits, and ``float()`` takes ``nan`` and ``inf``, which the Table Schema standard allows.
INT = re.compile(r"^[+-]?[0-9]+$")
NUM = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")
INT64_MAX = 2**63 - 1


def value_note(raw: str, kind: str) -> str | None:
    """Why the text ``raw`` of a cell of type ``kind`` is refused, or None when it reads exactly.

    The standard reads ``NaN``, ``INF``, ``１７`` (full-width), ``٣`` (Arabic-Indic), a whole
    number of any size and a value with spaces around it; the book refuses them, because a
    reader (or another program) would not read them as the same number.
    """
    if raw == "":
        return None
    if "\x00" in raw:
        return "contains a NUL character (a binary or UTF-16 file?)"
    if raw != raw.strip():
        return "has leading or trailing spaces"
    if kind == "integer":
        if not INT.match(raw):
            if NUM.match(raw) or DECIMAL_COMMA.match(raw):
                return "must be a whole number"
            return "must be a whole number (found text)"
        if abs(int(raw)) > INT64_MAX:
            return "is too large a whole number"
    elif kind == "number":
        if DECIMAL_COMMA.match(raw):
            return "uses a decimal comma; write numbers with a decimal point"
        if raw.lstrip("+-").casefold() in ("nan", "inf", "infinity"):
            return "must be a finite number (the standard's NaN and INF are not read here)"
        if not NUM.match(raw):
            return "must be a number (found text)"
        if not math.isfinite(float(raw)):
            return "must be a finite number"
    elif kind == "boolean":
        if raw not in ("true", "false"):
            return "must be 'true' or 'false'"
    return None


def typed(raw: str, kind: str) -> Any:
    """The value of a cell that :func:`value_note` accepts (None for an empty cell)."""
    if raw == "":
        return None
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        return raw == "true"
    return raw


def constraint_rule(fld: dict[str, Any], name: str) -> str:
    """The field's constraint ``name`` in words."""
    cons = fld.get("constraints", {})
    if name == "required":
        return "a value is required"
    if name == "minimum":
        return f"must be at least {cons['minimum']}"
    if name == "maximum":
        return f"must be at most {cons['maximum']}"
    if name == "enum":
        return "must be one of " + ", ".join(str(v) for v in cons["enum"])
    if name == "pattern":
        return f"must match the pattern {cons['pattern']}"
    if name == "maxLength":
        return f"must be at most {cons['maxLength']} characters long"
    if name == "minLength":
        return f"must be at least {cons['minLength']} characters long"
    if name == "unique":
        return "must be unique in its column"
    return f"breaks the constraint {name} = {cons.get(name)!r}"


#: The Table Schema constraints the book checks a cell against, in the order a broken one is named.
CONSTRAINTS = ("required", "enum", "minimum", "maximum", "pattern", "minLength", "maxLength")


def broken_constraint(raw: str, fld: dict[str, Any]) -> str | None:
    """The first of the field's constraints (its schema's ``constraints``) the cell's text
    ``raw`` breaks, or None. A cell whose text does not read as the field's type
    (:func:`value_note`) breaks none: its type is the problem."""
    cons = fld.get("constraints", {})
    if raw == "":
        return "required" if cons.get("required") else None
    kind = fld.get("type", "string")
    if value_note(raw, kind):
        return None
    value = typed(raw, kind)
    text = str(value)
    breaks = {
        "enum": lambda c: value not in c,
        "minimum": lambda c: value < c,
        "maximum": lambda c: value > c,
        "pattern": lambda c: re.fullmatch(c, text) is None,
        "minLength": lambda c: len(text) < c,
        "maxLength": lambda c: len(text) > c,
    }
    return next((name for name in CONSTRAINTS[1:] if name in cons and breaks[name](cons[name])), None)


def _fits(raw: str, fld: dict[str, Any]) -> bool:
    """Whether a cell would be valid (for a hint only: the standard's check is frictionless's)."""
    return not value_note(raw, fld.get("type", "string")) and broken_constraint(raw, fld) is None


def fold(text: str) -> str:
    """A name as a reader compares it: Unicode-normalised, trimmed, case-free."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def canonical_hint(value: str, allowed: list[str], listed: bool = False) -> str:
    """Why ``value`` isn't one of ``allowed``, when it can be told.

    ' (did you mean 'X'?)' when it differs from an allowed value only in case, spaces or
    Unicode form; a note naming its non-Latin letters (a Cyrillic 'а' looks like a Latin 'a')
    when every allowed value is ASCII; with ``listed``, the allowed values when there are few.
    """
    folded = fold(value)
    for option in allowed:
        if fold(option) == folded:
            return f" (did you mean {option!r}?)"
    notes = []
    if all(option.isascii() for option in allowed):
        foreign = sorted({c for c in value if not c.isascii()}, key=value.index)
        if foreign:
            names = ", ".join(f"{c!r} ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in foreign[:3])
            notes.append(f"it holds characters outside Latin/ASCII: {names}")
    if listed and len(allowed) <= MAX_LISTED_NAMES:
        notes.append("listed: " + ", ".join(allowed))
    return f" ({'; '.join(notes)})" if notes else ""


# --------------------------------------------------------------------------- header and widths


def header_problems(table: Table, fields: list[dict[str, Any]]) -> list[Problem]:
    """The header's problems: columns missing, renamed, extra, repeated or in the wrong order."""
    header, shown = table.header, table.shown
    expected = [f["name"] for f in fields]
    if header == expected:
        return []
    problems = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    for col in missing:
        hint = ""
        for other in extra:
            if other.strip().casefold() == col.casefold():
                hint = f" (found {other!r}: check its spelling and spaces)"
        problems.append(Problem(shown, f"the column is missing{hint}", row=1, column=col))
    for col in extra:
        problems.append(Problem(shown, "is not a column of this table (unexpected column)", row=1, column=col))
    for col in sorted({c for c in header if header.count(c) > 1}):
        problems.append(Problem(shown, "the column appears more than once", row=1, column=col))
    if not problems:
        k = next(k for k, (a, b) in enumerate(zip(header, expected)) if a != b)
        problems.append(
            Problem(
                shown,
                "columns are in the wrong order; expected " + ", ".join(expected),
                row=1,
                column=expected[k],
                value=header[k],
            )
        )
    return problems


def width_problem(line: int, cells: list[str], fields: list[dict[str, Any]], shown: str) -> Problem:
    """A row with more or fewer cells than the header, said as precisely as we can.

    An unquoted ``52,74`` (a decimal comma, or a thousands separator) splits one number into
    two cells: when joining two neighbouring cells gives a row whose every cell is valid, the
    problem is named at that column.
    """
    n, m = len(cells), len(fields)
    if n == m + 1:
        for j in range(m):
            joined = f"{cells[j]},{cells[j + 1]}"
            if fields[j].get("type") not in ("integer", "number") or not DECIMAL_COMMA.match(joined):
                continue
            merged = f"{cells[j]}.{cells[j + 1]}" if fields[j].get("type") == "number" else cells[j] + cells[j + 1]
            trial = cells[:j] + [merged] + cells[j + 2 :]
            if all(_fits(raw, f) for raw, f in zip(trial, fields)):
                return Problem(
                    shown,
                    f"a comma inside an unquoted number (a decimal comma or a thousands separator) splits it "
                    f"into two cells, so the row has {n} cells where the header has {m}; write numbers with a "
                    "decimal point and no thousands separator",
                    row=line,
                    column=fields[j]["name"],
                    value=joined,
                )
    if n < m:
        return Problem(
            shown,
            f"the row ends before this column: it has {n} cells where the header has {m}",
            row=line,
            column=fields[n]["name"],
        )
    return Problem(
        shown,
        f"the row has {n} cells where the header has {m} (an unquoted comma, or a cell past the last column)",
        row=line,
        column=fields[-1]["name"],
        value=",".join(cells[m - 1 :]),
    )


# --------------------------------------------------------------------------- what a table reads

#: The parameters of a descriptor check type that name another table the check reads.
TABLE_PARAMETERS: dict[str, dict[str, str]] = {"freedom_status": {"thresholds": "freedom_status_thresholds"}}


def tables_read(res: dict[str, Any]) -> list[str]:
    """The other tables a resource's validation reads: its foreign keys' and its checks'."""
    names = []
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    for fk in schema.get("foreignKeys", []) or []:
        target = fk.get("reference", {}).get("resource") if isinstance(fk, dict) else None
        if target and target != res.get("name"):
            names.append(target)
    for entry in res.get("checks", []) or []:
        if isinstance(entry, dict):
            for key, default in TABLE_PARAMETERS.get(entry.get("type", ""), {}).items():
                names.append(entry.get(key, default))
    return list(dict.fromkeys(names))
