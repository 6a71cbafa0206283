"""The one CSV reader of the book: :func:`read_table`.

It reads a file exactly as ``data/datapackage.json``'s dialect says (UTF-8, commas, double
quotes), refusing by name what a reader of the standard would misread or report only as a
cascade of consequences: another encoding (Latin-1, Windows-1252, UTF-16), another separator,
a quote left open or misplaced, a header without rows. Its :class:`Table` is what
``frictionless`` validates (:mod:`halfopen.package_check`) and what :func:`halfopen.data.load`
types (:func:`halfopen.validation.typed`): no file is parsed twice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .validation import DataError, Problem, display

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
