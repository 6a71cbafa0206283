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
from dataclasses import dataclass, field
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
        raise DataError(
            [Problem(_display(path), f"is not valid JSON ({exc.msg} at line {exc.lineno})")]
        ) from None


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
    (Latin-1 / Windows-1252 bytes), semicolon or tab separators, an empty file, a file with a
    header only, rows with a different number of cells than the header.
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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            [
                Problem(
                    shown,
                    "is not UTF-8 (byte 0x%02x looks like Latin-1 or Windows-1252 text); "
                    "save the file as 'CSV UTF-8'" % raw[exc.start],
                    row=row,
                )
            ]
        ) from None
    if "\x00" in text:
        raise DataError([Problem(shown, "contains NUL bytes (UTF-16 or a binary file?)")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise DataError(
            [Problem(shown, f"is not well-formed CSV ({exc})", row=reader.line_num)]
        ) from None
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
    rows: list[list[str]] = []
    problems: list[Problem] = []
    for line, record in numbered[1:]:
        if len(record) != len(header):
            problems.append(
                Problem(
                    shown,
                    f"has {len(record)} cells where the header has {len(header)}",
                    row=line,
                )
            )
        rows.append([str(line)] + record)
    if problems:
        raise DataError(problems)
    return header, rows


# --------------------------------------------------------------------------- validation

_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _canonical_hint(value: str, allowed: list[str]) -> str:
    """' (did you mean 'X'?)' when ``value`` differs from an allowed value only in form."""
    folded = unicodedata.normalize("NFKC", value).strip().casefold()
    for option in allowed:
        if unicodedata.normalize("NFKC", option).casefold() == folded:
            return f" (did you mean {option!r}?)"
    return ""


def _convert(
    raw: str, fld: dict[str, Any], shown: str, line: int, problems: list[Problem]
) -> Any:
    """The cell ``raw`` as the field's type, or ``None``; append problems found."""
    name, kind = fld["name"], fld.get("type", "string")
    cons = fld.get("constraints", {})

    def bad(rule: str) -> None:
        problems.append(Problem(shown, rule, row=line, column=name, value=raw))

    if raw == "":
        if cons.get("required"):
            bad("a value is required")
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
            problems.append(
                Problem(shown, "is not a column of this table (unexpected column)", row=1, column=col)
            )
        dupes = sorted({c for c in header if header.count(c) > 1})
        for col in dupes:
            problems.append(Problem(shown, "the column appears more than once", row=1, column=col))
        if not problems:
            problems.append(
                Problem(
                    shown,
                    "columns are in the wrong order; expected " + ", ".join(expected),
                    row=1,
                )
            )
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
    _check_foreign_keys(schema, frame, lines, shown, folder, problems)
    if problems:
        raise DataError(problems)
    from . import rules  # local import: rules use derive, which is free of data imports

    for check in res.get("checks", []):
        rules.apply(check, frame, lines, shown, folder, problems)
    if problems:
        raise DataError(problems)
    return frame


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
                        + _canonical_hint(str(value), allowed),
                        row=lines[i],
                        column=column,
                        value=str(value),
                    )
                )
