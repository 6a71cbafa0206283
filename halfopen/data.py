"""Load the book's source tables, validated against one descriptor.

Every table in ``data/`` is a CSV described in ``data/datapackage.json`` (a Frictionless-style
data package): its schema (column types, required values, ranges, allowed values, keys,
references to other tables) and its provenance (source, edition, paper paragraph, licence).
:func:`load` reads a table, checks every rule and returns a typed :class:`pandas.DataFrame`,
or raises one :class:`DataError` whose message names the file, the row as a spreadsheet
counts it (the header is row 1), the column, the value and the rule broken.

The parser is our own, on top of :mod:`csv`, rather than ``pandas.read_csv``: pandas guesses
types, silently reads ``52,74`` or a Latin-1 byte as something, and reports problems as
tracebacks. Here every cell is checked as text against its declared type first.

Every file the loader opens is recorded (see :func:`record_read`), so the runner knows which
tables a chapter actually read and can re-execute exactly the chapters a data edit touches.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths

READ_LOG_ENV = "HALFOPEN_READ_LOG"
MAX_LISTED_PROBLEMS = 10


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


# --------------------------------------------------------------------------- reading log


def record_read(path: Path) -> None:
    """Note that ``path`` was read, in the file named by ``$HALFOPEN_READ_LOG`` (if set).

    The runner sets the variable for each chapter it executes; the kernel inherits it. Each
    line is a JSON object with the file's path and the SHA-256 of the bytes read.
    """
    log = os.environ.get(READ_LOG_ENV)
    if not log:
        return
    path = Path(path).resolve()
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"path": str(path), "sha256": digest}) + "\n")


# --------------------------------------------------------------------------- descriptor


def descriptor(data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The data package descriptor (``datapackage.json``) of ``data_dir``."""
    folder = paths.data_dir(data_dir)
    path = folder / paths.DESCRIPTOR_NAME
    if not path.exists():
        raise DataError([Problem(_display(path), "the descriptor file is missing")])
    record_read(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError([Problem(_display(path), f"is not valid JSON ({exc.msg} at line {exc.lineno})")]) from None


def resource(name: str, data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The descriptor entry of the table ``name``."""
    desc = descriptor(data_dir)
    for res in desc["resources"]:
        if res["name"] == name:
            return res
    known = ", ".join(sorted(r["name"] for r in desc["resources"]))
    raise KeyError(f"no table named {name!r} in the descriptor; known tables: {known}")


def table_names(data_dir: str | os.PathLike | None = None) -> list[str]:
    """Names of all tables the descriptor describes, in descriptor order."""
    return [r["name"] for r in descriptor(data_dir)["resources"]]


# --------------------------------------------------------------------------- loading


def load(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read table ``name`` from ``data_dir``, validate it and return it typed.

    Integers come back as pandas ``Int64`` (missing values allowed where not required),
    numbers as ``float64``, booleans as ``boolean``, text as ``object``.
    """
    folder = paths.data_dir(data_dir)
    res = resource(name, folder)
    path = folder / res["path"]
    header, rows = _read_csv(path)
    frame = _validate(res, path, header, rows, folder)
    frame.attrs["name"] = name
    frame.attrs["path"] = str(path)
    return frame


def load_all(data_dir: str | os.PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the descriptor, loaded and validated."""
    return {name: load(name, data_dir) for name in table_names(data_dir)}


# --------------------------------------------------------------------------- parsing

_BOM = b"\xef\xbb\xbf"


def _display(path: Path) -> str:
    """A path as a reader recognises it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a comma-separated UTF-8 file, refusing what we'd misread.

    Read correctly: a UTF-8 byte-order mark, CRLF line ends. Refused by name: other encodings
    (Latin-1 / Windows-1252 bytes, UTF-16), semicolon or tab separators, an empty file, a file
    with a header only. Each row comes back as ``[spreadsheet row number, cell, ...]``; rows
    with the wrong number of cells are reported by :func:`_validate`, which knows the columns.
    """
    shown = _display(path)
    if not path.exists():
        raise DataError([Problem(shown, "the file is missing")])
    record_read(path)
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
    # Drop blank lines (a trailing newline, or blank lines a spreadsheet left).
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
    return header, [[str(line)] + record for line, record in numbered[1:]]


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


# --------------------------------------------------------------------------- validation

# ASCII digits only: ``\d`` would also take Arabic-Indic or full-width digits, which
# ``int()`` reads without a word.
_INT = re.compile(r"^[+-]?[0-9]+$")
_NUM = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")
_INT64_MAX = 2**63 - 1
MAX_LISTED_NAMES = 12


def _fold(text: str) -> str:
    """A name as a reader compares it: Unicode-normalised, trimmed, case-free."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _canonical_hint(value: str, allowed: list[str], listed: bool = False) -> str:
    """Why ``value`` isn't one of ``allowed``, when it can be told.

    ' (did you mean 'X'?)' when it differs from an allowed value only in case, spaces or
    Unicode form; a note naming its non-Latin letters (a Cyrillic 'а' looks like a Latin 'a')
    when every allowed value is ASCII; with ``listed``, the allowed values when there are few.
    """
    folded = _fold(value)
    for option in allowed:
        if _fold(option) == folded:
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


def _convert(raw: str, fld: dict[str, Any], shown: str, line: int, problems: list[Problem]) -> Any:
    """The cell ``raw`` as the field's type, or ``None``; append problems found."""
    name, kind = fld["name"], fld.get("type", "string")
    cons = fld.get("constraints", {})

    def bad(rule: str) -> None:
        problems.append(Problem(shown, rule, row=line, column=name, value=raw))

    if raw == "":
        if cons.get("required"):
            bad("a value is required")
        return None
    if "\x00" in raw:
        bad("contains a NUL character (a binary or UTF-16 file?)")
        return None
    if raw != raw.strip():
        bad("has leading or trailing spaces")
        return None
    value: Any
    if kind == "integer":
        if not _INT.match(raw):
            if _NUM.match(raw) or _DECIMAL_COMMA.match(raw):
                bad("must be a whole number")
            else:
                bad("must be a whole number (found text)")
            return None
        value = int(raw)
        if abs(value) > _INT64_MAX:
            bad("is too large a whole number")
            return None
    elif kind == "number":
        if _DECIMAL_COMMA.match(raw):
            bad("uses a decimal comma; write numbers with a decimal point")
            return None
        if not _NUM.match(raw):
            bad("must be a number (found text)")
            return None
        value = float(raw)
        if not math.isfinite(value):
            bad("must be a finite number")
            return None
    elif kind == "boolean":
        if raw not in ("true", "false"):
            bad("must be 'true' or 'false'")
            return None
        value = raw == "true"
    else:
        value = raw
    if "enum" in cons and value not in cons["enum"]:
        allowed = [str(v) for v in cons["enum"]]
        bad("must be one of " + ", ".join(allowed) + _canonical_hint(raw, allowed))
        return None
    if "minimum" in cons and value < cons["minimum"]:
        bad(f"must be at least {cons['minimum']}")
        return None
    if "maximum" in cons and value > cons["maximum"]:
        bad(f"must be at most {cons['maximum']}")
        return None
    if "pattern" in cons and not re.fullmatch(cons["pattern"], str(value)):
        bad(f"must match the pattern {cons['pattern']}")
        return None
    if "maxLength" in cons and len(str(value)) > cons["maxLength"]:
        bad(f"must be at most {cons['maxLength']} characters long")
        return None
    return value


_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean"}


def _validate(
    res: dict[str, Any],
    path: Path,
    header: list[str],
    rows: list[list[str]],
    folder: Path,
) -> pd.DataFrame:
    shown = _display(path)
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    problems: list[Problem] = []

    # Columns: same names, same order; say which is missing, renamed or extra.
    if header != expected:
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
        dupes = sorted({c for c in header if header.count(c) > 1})
        for col in dupes:
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
        raise DataError(problems)
    for r in rows:
        if len(r) - 1 != len(expected):
            problems.append(_width_problem(r, fields, shown))
    if problems:
        raise DataError(problems)

    lines = [int(r[0]) for r in rows]
    records: list[list[Any]] = []
    for r in rows:
        line = int(r[0])
        records.append([_convert(raw, f, shown, line, problems) for raw, f in zip(r[1:], fields)])
    if problems:
        raise DataError(problems)

    frame = pd.DataFrame(records, columns=expected)
    for f in fields:
        kind = f.get("type", "string")
        if kind in _DTYPES:
            frame[f["name"]] = frame[f["name"]].astype(_DTYPES[kind])
        else:
            frame[f["name"]] = frame[f["name"]].astype(object)
    frame.index = pd.RangeIndex(len(frame))

    schema = res["schema"]
    _check_keys(schema, frame, lines, shown, problems)
    _check_referenced_names(res["name"], frame, lines, shown, folder, problems)
    _check_foreign_keys(schema, frame, lines, shown, folder, problems)
    if problems:
        raise DataError(problems)
    from . import rules  # local import: rules use derive, which is free of data imports

    for check in res.get("checks", []):
        rules.apply(check, frame, lines, shown, folder, problems)
    if problems:
        raise DataError(problems)
    return frame


def _width_problem(r: list[str], fields: list[dict[str, Any]], shown: str) -> Problem:
    """A row with more or fewer cells than the header, said as precisely as we can.

    An unquoted ``52,74`` (a decimal comma, or a thousands separator) splits one number into
    two cells: when joining two neighbouring cells gives a row whose every cell is valid, the
    problem is named at that column.
    """
    line, cells = int(r[0]), r[1:]
    n, m = len(cells), len(fields)
    if n == m + 1:
        for j in range(m):
            joined = f"{cells[j]},{cells[j + 1]}"
            if fields[j].get("type") not in ("integer", "number") or not _DECIMAL_COMMA.match(joined):
                continue
            merged = f"{cells[j]}.{cells[j + 1]}" if fields[j].get("type") == "number" else cells[j] + cells[j + 1]
            trial = cells[:j] + [merged] + cells[j + 2 :]
            scratch: list[Problem] = []
            for raw, f in zip(trial, fields):
                _convert(raw, f, shown, line, scratch)
            if not scratch:
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


def _check_keys(
    schema: dict[str, Any], frame: pd.DataFrame, lines: list[int], shown: str, problems: list[Problem]
) -> None:
    key = schema.get("primaryKey")
    if not key:
        return
    key = [key] if isinstance(key, str) else key
    seen: dict[tuple, int] = {}
    for i, values in enumerate(frame[key].itertuples(index=False, name=None)):
        if values in seen:
            shown_key = ", ".join(f"{k}={v}" for k, v in zip(key, values))
            problems.append(
                Problem(
                    shown,
                    f"duplicates the key ({shown_key}) of row {seen[values]}",
                    row=lines[i],
                    column=key[0] if len(key) == 1 else "+".join(key),
                    value=", ".join(str(v) for v in values),
                )
            )
        else:
            seen[values] = lines[i]


def _check_foreign_keys(
    schema: dict[str, Any],
    frame: pd.DataFrame,
    lines: list[int],
    shown: str,
    folder: Path,
    problems: list[Problem],
) -> None:
    for fk in schema.get("foreignKeys", []):
        column = fk["fields"]
        ref = fk["reference"]
        target = load(ref["resource"], folder)
        allowed = [str(v) for v in target[ref["fields"]].dropna()]
        for i, value in enumerate(frame[column]):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if str(value) not in allowed:
                problems.append(
                    Problem(
                        shown,
                        f"is not a {ref['fields']} listed in table '{ref['resource']}'"
                        + _canonical_hint(str(value), allowed, listed=True),
                        row=lines[i],
                        column=column,
                        value=str(value),
                    )
                )


def _check_referenced_names(
    name: str, frame: pd.DataFrame, lines: list[int], shown: str, folder: Path, problems: list[Problem]
) -> None:
    """Columns other tables refer to (the canonical names) hold each name once, in one spelling.

    ``Kazakhstan`` and ``kazakhstan `` in ``countries.csv`` would be two countries to the
    loader and one to a reader; refused, naming the row that spelled it first.
    """
    columns = set()
    for res in descriptor(folder)["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            if fk["reference"]["resource"] == name:
                columns.add(fk["reference"]["fields"])
    for column in sorted(columns):
        if column not in frame.columns:
            continue
        seen: dict[str, tuple[int, str]] = {}
        for i, value in enumerate(frame[column]):
            if value is None or value is pd.NA:
                continue
            key = _fold(str(value))
            if key in seen:
                first_row, first = seen[key]
                how = "repeats" if first == str(value) else "is another spelling of"
                problems.append(
                    Problem(
                        shown,
                        f"{how} {first!r} of row {first_row}; other tables refer to this column, "
                        "so each name must appear once, in one spelling",
                        row=lines[i],
                        column=column,
                        value=str(value),
                    )
                )
            else:
                seen[key] = (lines[i], str(value))
