"""What the book checks itself, beside ``frictionless``: reading a file, and clear messages.

``frictionless`` (see :mod:`halfopen.rules`) checks what the Table Schema standard declares.
This module holds what it does not do, and needs no ``frictionless`` import:

- :func:`read_table`: the one CSV reader. It reads a file exactly as the descriptor's dialect
  says (UTF-8, commas, double quotes), refusing by name what a reader of the standard would
  misread or report only as a cascade of consequences: another encoding (Latin-1,
  Windows-1252, UTF-16), another separator, a quote left open or misplaced, a header without
  rows. frictionless validates the records it returns; :func:`halfopen.data.load` types them
  with :func:`typed`;
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

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths

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


# --------------------------------------------------------------------------- reading a file

_BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    """A CSV file as read: its header and its rows, each with its spreadsheet row number."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_row: int = 1

    @property
    def shown(self) -> str:
        return display(self.path)

    def records(self) -> list[list[str]]:
        """The header and rows, each at its spreadsheet row (blank rows empty): what
        ``frictionless`` validates as the resource's inline data, so its row numbers are ours."""
        out: list[list[str]] = [[] for _ in range(self.rows[-1][0] if self.rows else self.header_row)]
        out[self.header_row - 1] = self.header
        for number, cells in self.rows:
            out[number - 1] = cells
        return out

    def column(self, name: str) -> list[str]:
        """The non-empty texts of column ``name``."""
        j = self.header.index(name)
        return [cells[j] for _, cells in self.rows if j < len(cells) and cells[j] != ""]


def read_table(path: Path) -> Table:
    """Header and rows of a comma-separated UTF-8 file, refusing what we'd misread.

    Read correctly: a UTF-8 byte-order mark, CRLF line ends, blank lines (a spreadsheet's).
    Refused by name (one :class:`DataError`): a missing or empty file, other encodings
    (Latin-1 / Windows-1252 bytes, UTF-16), semicolon or tab separators, a quote never closed
    or misplaced, a file with a header only.
    """
    shown = display(path)
    if not path.exists():
        raise DataError([Problem(shown, "the file is missing")])
    raw = path.read_bytes()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw.strip():
        raise DataError([Problem(shown, "the file is empty")])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw.count(b"\x00") * 4 >= len(raw):
        raise DataError([Problem(shown, "is UTF-16 text (or a binary file); save the file as 'CSV UTF-8'")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([_not_utf8(shown, raw, exc)]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError([_bad_quote(shown, text, records, first_line, exc)]) from None
        records.append(record)
    # Blank lines (a trailing newline, or blank lines a spreadsheet left) are skipped, as the
    # descriptor's dialect says (skipBlankRows); they still count as spreadsheet rows.
    numbered = [(i + 1, r) for i, r in enumerate(records) if any(c.strip() for c in r)]
    if not numbered:
        raise DataError([Problem(shown, "the file is empty")])
    header_row, header = numbered[0]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        raise DataError(
            [
                Problem(
                    shown,
                    f"columns are separated by {sep}; the book reads comma-separated files "
                    "(save as 'CSV UTF-8 (comma delimited)')",
                    row=header_row,
                )
            ]
        )
    if len(numbered) == 1:
        raise DataError([Problem(shown, "has a header but no rows of data", row=header_row)])
    return Table(path, header, numbered[1:], header_row)


def _bad_quote(shown: str, text: str, records: list[list[str]], first_line: int, exc: csv.Error) -> Problem:
    """The problem of a record the CSV reader can't parse (a quote never closed, a stray quote).

    The row is the record's spreadsheet row (the records before it, plus one); the column is
    the quoted cell where the quoting goes wrong, found by scanning the record's first line.
    """
    lines = text.splitlines()
    line = lines[first_line - 1] if 0 < first_line <= len(lines) else ""
    found = _quote_cell(line)
    header = records[0] if records else []
    column = value = None
    if found is not None:
        j, value = found
        column = header[j] if records and j < len(header) else None
    reason = "a quote is opened but never closed" if "end of data" in str(exc) else f"misplaced quote ({exc})"
    return Problem(shown, f"is not well-formed CSV: {reason}", row=len(records) + 1, column=column, value=value)


def _quote_cell(line: str) -> tuple[int, str] | None:
    """Index and text of the first quoted cell of ``line`` that is not closed properly."""
    j, i, start, n = 0, 0, 0, len(line)
    while i < n:
        if line[i] == '"' and i == start:
            k = i + 1
            while True:
                q = line.find('"', k)
                if q == -1:
                    return j, line[start:]
                if line[q + 1 : q + 2] == '"':
                    k = q + 2
                    continue
                if q + 1 == n or line[q + 1] == ",":
                    i = q + 1
                    break
                stop = line.find(",", q)
                return j, line[start : stop if stop != -1 else n]
            continue
        if line[i] == ",":
            j, start = j + 1, i + 1
        i += 1
    return None


def _not_utf8(shown: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    """The problem of a file that isn't UTF-8, at the cell holding the first bad byte.

    The file is re-read as Windows-1252 (Latin-1 for the bytes it leaves undefined), which is
    what a spreadsheet that didn't save UTF-8 wrote, so the value is shown as the user sees it.
    """
    byte = raw[exc.start]
    rule = (
        f"is not UTF-8: byte 0x{byte:02x} ({_BYTE_CHARS[byte]!r} in Windows-1252/Latin-1) shows the file "
        "was saved in another encoding; save it as 'CSV UTF-8'"
    )
    text = "".join(_BYTE_CHARS[b] for b in raw)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        records = []
    header = records[0] if records else []
    for i, record in enumerate(records):
        for j, cell in enumerate(record):
            if not _is_utf8(cell):
                column = header[j] if i > 0 and j < len(header) else None
                return Problem(shown, rule, row=i + 1, column=column, value=cell)
    return Problem(shown, rule, row=raw[: exc.start].count(b"\n") + 1)


def _cp1252(b: bytes) -> str:
    try:
        return b.decode("cp1252")
    except UnicodeDecodeError:
        return b.decode("latin-1")


#: Each byte as a spreadsheet without UTF-8 shows it, and back.
_BYTE_CHARS = [_cp1252(bytes([b])) for b in range(256)]
_CHAR_BYTES = {c: b for b, c in enumerate(_BYTE_CHARS)}


def _is_utf8(cell: str) -> bool:
    """Whether the cell (read byte by byte as Windows-1252) was valid UTF-8 bytes."""
    try:
        bytes(_CHAR_BYTES[c] for c in cell).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
