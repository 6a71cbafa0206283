"""Bad data is refused, clearly (issue 5): the loader ``halfopen.data`` on every kind of bad input.

First every table of ``data/datapackage.json`` loads, validates and round-trips: each value
the loader returns is the value its cell writes. Then, on copies of ``data/`` in a temporary
folder, each kind of bad input the issue lists is written into one table, and the test
asserts that ONE line of the error names the file, the row as a spreadsheet counts it (the
header is row 1), the column, the value and the rule broken; that the error is a
:class:`~halfopen.data.DataError` with nothing chained to it (no pandas traceback); and that
the dialects spreadsheets produce are either read exactly (a byte-order mark, CRLF) or
refused by name (semicolons, decimal commas, Latin-1, UTF-16). Where a part does not exist
for a kind (a missing file has no row; a header problem has no value) it is not asserted.

The last tests (marked ``slow``) do the same through the command line: ``python -m halfopen
run`` on a copy of the book whose ``data/`` holds a bad table exits non-zero and prints the
message, without a traceback of pandas internals, and renders nothing from the bad table.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from halfopen import data, paths, validation

DATA = paths.DATA_DIR
NAMES = data.table_names()
KZ_2019 = "Kazakhstan,2019,NF,7,5,5,17,22"  # Table 1's row for Kazakhstan (¶5), as the CSV writes it


# --------------------------------------------------------------------------- helpers


def fields_of(name: str, folder: Path = DATA) -> list[dict]:
    return data.resource(name, folder)["schema"]["fields"]


def csv_records(path: Path) -> list[list[str]]:
    """The file's records as text (BOM dropped), blank rows left out, header first."""
    text = path.read_bytes().decode("utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]


WHOLE = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def cell_value(text: str, kind: str):
    """What a cell's text means for its declared type (None for an empty cell).

    Numbers are read only in plain ASCII notation: Python's ``int`` and ``float`` also take
    full-width or Arabic-Indic digits, ``nan``, ``inf``, underscores and spaces, which a loader
    that reads "exactly" must refuse, so such a cell here fails the round trip.
    """
    if text == "":
        return None
    if kind == "integer":
        assert WHOLE.fullmatch(text), f"{text!r} was loaded as a whole number"
        return int(text)
    if kind == "number":
        assert DECIMAL.fullmatch(text) and math.isfinite(float(text)), f"{text!r} was loaded as a number"
        return float(text)
    if kind == "boolean":
        assert text in ("true", "false"), f"{text!r} was loaded as a boolean"
        return text == "true"
    return text


def assert_round_trip(frame: pd.DataFrame, path: Path, fields: list[dict]) -> None:
    """Every value of ``frame`` equals the value its cell in ``path`` writes; dtypes as declared."""
    records = csv_records(path)
    assert records[0] == [f["name"] for f in fields] == list(frame.columns)
    body = records[1:]
    assert len(frame) == len(body), f"{path.name}: {len(frame)} rows loaded, {len(body)} in the file"
    dtypes = {"integer": "Int64", "number": "float64", "boolean": "boolean"}
    for j, f in enumerate(fields):
        column = frame[f["name"]]
        assert str(column.dtype) == dtypes.get(f.get("type", "string"), "object"), (path.name, f["name"])
        for i, record in enumerate(body):
            expected, got = cell_value(record[j], f.get("type", "string")), column.iloc[i]
            if expected is None:
                assert pd.isna(got), (path.name, i + 2, f["name"], got)
            elif isinstance(expected, float):
                assert not pd.isna(got) and math.isclose(got, expected, rel_tol=0, abs_tol=0), (
                    path.name,
                    i + 2,
                    f["name"],
                    record[j],
                    got,
                )
            else:
                assert got == expected and type(got) is not float, (path.name, i + 2, f["name"], record[j], got)


def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def row_of(path: Path, prefix: str) -> int:
    """The spreadsheet row number (header = 1) of the line starting with ``prefix``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hits) == 1, f"{prefix!r} is not one line of {path}"
    return hits[0]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def refusal(name: str, folder: Path) -> data.DataError:
    """The DataError loading ``name`` from ``folder`` raises; any other outcome fails the test."""
    try:
        data.load(name, folder)
    except data.DataError as exc:
        assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__), (
            "the error chains another exception (a traceback of the parser's internals)"
        )
        assert "Traceback" not in str(exc) and "pandas" not in str(exc)
        return exc
    raise AssertionError(f"{name} loaded although it is bad")


def the_line(exc: data.DataError, *parts: str) -> str:
    """The one line of the message that holds every part; fail with the message if none does."""
    lines = [line for line in str(exc).splitlines() if all(p in line for p in parts)]
    assert lines, f"no single line of the message holds all of {parts}:\n{exc}"
    return lines[0]


# --------------------------------------------------------------------------- the real tables


@pytest.mark.parametrize("name", NAMES)
def test_every_table_loads_validates_and_round_trips(name):
    frame = data.load(name)
    res = data.resource(name)
    path = DATA / res["path"]
    assert frame.attrs["name"] == name and Path(frame.attrs["path"]) == path
    assert len(frame) > 0
    assert_round_trip(frame, path, res["schema"]["fields"])
    for f in res["schema"]["fields"]:
        if f.get("constraints", {}).get("required"):
            assert frame[f["name"]].notna().all(), f["name"]
    key = res["schema"].get("primaryKey")
    if key:
        assert not frame.duplicated(subset=[key] if isinstance(key, str) else key).any()


def test_every_table_of_the_folder_is_described_and_every_description_has_its_file():
    described = {data.resource(n)["path"] for n in NAMES}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert described == on_disk


# --------------------------------------------------------------------------- every kind of bad input


@dataclass
class Bad:
    """One bad input: the table it breaks, how, and what the message must name.

    ``row`` is a number, a line prefix of the ORIGINAL file (its spreadsheet row), or None;
    ``value`` is the cell as the message must quote it (``repr``), or None.
    """

    table: str
    write: Callable[[Path], None]
    rule: str
    row: int | str | None = None
    column: str | None = None
    value: str | None = None
    also: tuple[str, ...] = ()


def sub(old: str, new: str) -> Callable[[Path], None]:
    return lambda p: replace_in(p, old, new)


def kz(new: str) -> Callable[[Path], None]:
    return sub(KZ_2019, new)


def drop_column(name: str) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        rows = csv_records(p)
        j = rows[0].index(name)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r[:j] + r[j + 1 :] for r in rows])
        p.write_text(buf.getvalue(), encoding="utf-8")

    return write


def add_column(name: str, value: str) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        rows = csv_records(p)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([rows[0] + [name]] + [r + [value] for r in rows[1:]])
        p.write_text(buf.getvalue(), encoding="utf-8")

    return write


def encode(old: str, new: str, encoding: str) -> Callable[[Path], None]:
    """Replace ``old`` by ``new`` and save the whole file in ``encoding`` (as a spreadsheet would)."""

    def write(p: Path) -> None:
        text = p.read_text(encoding="utf-8")
        assert text.count(old) == 1
        p.write_bytes(text.replace(old, new).encode(encoding))

    return write


def same_place(p: Path, source: int, target: int) -> None:
    """Give the box of spreadsheet row ``target`` the grid place (column, row) of row ``source``."""
    rows = csv_records(p)
    for name in ("column", "row"):
        j = rows[0].index(name)
        rows[target - 1][j] = rows[source - 1][j]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    p.write_text(buf.getvalue(), encoding="utf-8")


def dialect(transform: Callable[[str], str]) -> Callable[[Path], None]:
    return lambda p: p.write_text(transform(p.read_text(encoding="utf-8")), encoding="utf-8")


PROSECUTOR = "Elite bureaucrats at the General Prosecutor's Office"
PROSECUTOR_OFFICE = '"General Prosecutor\'s Office"'

BAD = {
    # the file
    "file missing": Bad("freedom_house", lambda p: p.unlink(), "the file is missing"),
    "file empty": Bad("freedom_house", lambda p: p.write_bytes(b""), "the file is empty"),
    "file of blank lines": Bad("freedom_house", lambda p: p.write_text("\n \n\n"), "the file is empty"),
    "header only": Bad(
        "freedom_house",
        lambda p: p.write_text(p.read_text().splitlines()[0] + "\n"),
        "has a header but no rows of data",
        row=1,
    ),
    # the columns
    "column missing": Bad(
        "freedom_house", drop_column("total_score"), "the column is missing", row=1, column="total_score"
    ),
    "column renamed": Bad(
        "freedom_house",
        sub("total_score", "aggregate_score"),
        "the column is missing",
        row=1,
        column="total_score",
        also=("column 'aggregate_score': is not a column of this table",),
    ),
    "column renamed with a trailing space": Bad(
        "freedom_house",
        sub("total_score", "total_score "),
        "the column is missing (found 'total_score ': check its spelling and spaces)",
        row=1,
        column="total_score",
    ),
    "column extra": Bad(
        "freedom_house", add_column("notes", "x"), "is not a column of this table", row=1, column="notes"
    ),
    "columns reordered": Bad(
        "freedom_house",
        sub("country,edition", "edition,country"),
        "columns are in the wrong order; expected country, edition, status",
        row=1,
        column="country",
        value="edition",
    ),
    # the cells
    "text in a score": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,5,seventeen,22"),
        "must be a whole number (found text)",
        row=KZ_2019,
        column="cl_score",
        value="seventeen",
    ),
    "decimal in a whole number": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,5,17.5,22"),
        "must be a whole number",
        row=KZ_2019,
        column="cl_score",
        value="17.5",
    ),
    "full-width digits": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,5,１７,22"),
        "must be a whole number",
        row=KZ_2019,
        column="cl_score",
        value="１７",
    ),
    "text in a number": Bad(
        "wgi", sub("DNK,2010,1.542", "DNK,2010,n/a"), "must be a number", row=2, column="va", value="n/a"
    ),
    "required value missing": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,5,,22"),
        "a value is required",
        row=KZ_2019,
        column="cl_score",
        value="",
    ),
    "boolean misspelt": Bad(
        "obs_score_bands",
        sub("transparency,minimal,21,40,false", "transparency,minimal,21,40,no"),
        "must be 'true' or 'false'",
        row="transparency,minimal,",
        column="sufficient",
        value="no",
    ),
    "not an allowed value": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,Not free,7,5,5,17,22"),
        "must be one of F, PF, NF",
        row=KZ_2019,
        column="status",
        value="Not free",
    ),
    "pattern broken": Bad(
        "wgi", sub("DNK,2010,", "DK,2010,"), "must match the pattern [A-Z]{3}", row=2, column="iso3", value="DK"
    ),
    # ranges
    "political-rights rating 0": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,0,5,5,17,22"),
        "must be at least 1",
        row=KZ_2019,
        column="pr_rating",
        value="0",
    ),
    "political-rights rating 8": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,8,5,5,17,22"),
        "must be at most 7",
        row=KZ_2019,
        column="pr_rating",
        value="8",
    ),
    "aggregate score 101": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,41,60,101"),
        "must be at most 100",
        row=KZ_2019,
        column="total_score",
        value="101",
    ),
    "negative count": Bad(
        "paper_figures",
        sub(",8800,", ",-3,"),
        "must be at least 0",
        row="gdp_per_capita,",
        column="value",
        value="-3",
    ),
    "negative participants": Bad(
        "study_sample",
        sub("focus group,12,", "focus group,-12,"),
        "must be at least 1",
        row=PROSECUTOR,
        column="participants",
        value="-12",
    ),
    "a whole number too large for any integer type": Bad(
        "paper_figures",
        sub(",8800,", ",99999999999999999999,"),
        "is too large a whole number",
        row="gdp_per_capita,",
        column="value",
        value="99999999999999999999",
    ),
    "an infinite number": Bad(
        "wgi", sub("DNK,2010,1.542", "DNK,2010,1e999"), "must be a finite number", row=2, column="va", value="1e999"
    ),
    # what the Table Schema standard reads as a number or a boolean, and the book refuses
    "NaN in a number": Bad(
        "wgi", sub("DNK,2010,1.542", "DNK,2010,NaN"), "must be a finite number", row=2, column="va", value="NaN"
    ),
    "INF in a number": Bad(
        "wgi", sub("DNK,2010,1.542", "DNK,2010,-INF"), "must be a finite number", row=2, column="va", value="-INF"
    ),
    "Arabic-Indic digits": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,٧,5,5,17,22"),
        "must be a whole number",
        row=KZ_2019,
        column="pr_rating",
        value="٧",
    ),
    "a space before a number": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF, 7,5,5,17,22"),
        "has leading or trailing spaces",
        row=KZ_2019,
        column="pr_rating",
        value=" 7",
    ),
    "a boolean the standard would read": Bad(
        "obs_score_bands",
        sub("transparency,minimal,21,40,false", "transparency,minimal,21,40,FALSE"),
        "must be 'true' or 'false'",
        row="transparency,minimal,",
        column="sufficient",
        value="FALSE",
    ),
    # keys and rules across cells
    "duplicated key": Bad(
        "freedom_house",
        kz(KZ_2019 + "\n" + KZ_2019),
        "duplicates the key (country=Kazakhstan, edition=2019) of row",
        row=None,
        column="country+edition",
        value="Kazakhstan, 2019",
    ),
    "status its ratings don't give": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,PF,7,5,5,17,22"),
        "contradicts the ratings: PR 7 and CL 5 give a freedom rating of 6.0, status NF",
        row=KZ_2019,
        column="status",
        value="PF",
    ),
    "total not the sum of its parts": Bad(
        "freedom_house",
        kz("Kazakhstan,2019,NF,7,5,5,17,23"),
        "must equal pr_score + cl_score = 22",
        row=KZ_2019,
        column="total_score",
        value="23",
    ),
    "a range upside down": Bad(
        "freedom_status_thresholds",
        sub("PF,Partly free,3.0,5.0", "PF,Partly free,5.0,3.0"),
        "must not be above 'rating_max'",
        row=3,
        column="rating_min",
        value="5.0",
    ),
    "ranges that overlap": Bad(
        "freedom_status_thresholds",
        sub("F,Free,1.0,2.5", "F,Free,1.0,3.5"),
        "overlaps the range of row 2 (which ends at 3.5)",
        row=3,
        column="rating_min",
        value="3.0",
    ),
    "an end before its start": Bad(
        "events",
        sub("1991,,,1991,", "1991,,1990,1991,"),
        "must not be before 'year'",
        row=2,
        column="end_year",
        value="1990",
    ),
    "diagram boxes that overlap": Bad(
        "diagram_nodes", lambda p: same_place(p, 2, 3), "overlaps box", row=3, column="row", also=("of row 2",)
    ),
    "a reference to nothing": Bad(
        "obs_central_asia",
        sub("KAZ,2008,", "KAX,2008,"),
        "is not a iso3 listed in table 'countries'",
        row="KAZ,2008,",
        column="iso3",
        value="KAX",
    ),
    # the same country spelled two ways
    "country with a trailing space": Bad(
        "freedom_house",
        kz("Kazakhstan ,2019,NF,7,5,5,17,22"),
        "has leading or trailing spaces",
        row=KZ_2019,
        column="country",
        value="Kazakhstan ",
    ),
    "country with a non-breaking space": Bad(
        "freedom_house",
        kz("Kazakhstan\u00a0,2019,NF,7,5,5,17,22"),
        "has leading or trailing spaces",
        row=KZ_2019,
        column="country",
        value="Kazakhstan\u00a0",
    ),
    "country in another case": Bad(
        "freedom_house",
        kz("kazakhstan,2019,NF,7,5,5,17,22"),
        "is not a name listed in table 'countries' (did you mean 'Kazakhstan'?)",
        row=KZ_2019,
        column="country",
        value="kazakhstan",
    ),
    "country in Cyrillic": Bad(
        "freedom_house",
        kz("Казахстан,2019,NF,7,5,5,17,22"),
        "is not a name listed in table 'countries'",
        row=KZ_2019,
        column="country",
        value="Казахстан",
        also=("CYRILLIC CAPITAL LETTER KA", "listed: Denmark, Kazakhstan"),
    ),
    "country with one Cyrillic letter": Bad(
        "freedom_house",
        kz("K\u0430zakhstan,2019,NF,7,5,5,17,22"),
        "is not a name listed in table 'countries'",
        row=KZ_2019,
        column="country",
        value="K\u0430zakhstan",
        also=("'а' (CYRILLIC SMALL LETTER A)",),
    ),
    "canonical name listed twice in two spellings": Bad(
        "countries",
        dialect(lambda t: t + "KZX,kazakhstan,Central Asia\n"),
        "is another spelling of 'Kazakhstan' of row 3",
        row=8,
        column="name",
        value="kazakhstan",
    ),
    # encodings and dialects
    "semicolon separators": Bad(
        "freedom_house",
        dialect(lambda t: t.replace(",", ";")),
        "columns are separated by semicolons",
        row=1,
    ),
    "semicolons and decimal commas": Bad(
        "wgi",
        dialect(lambda t: t.replace(",", ";").replace(".", ",")),
        "columns are separated by semicolons",
        row=1,
    ),
    "tab separators": Bad(
        "freedom_house", dialect(lambda t: t.replace(",", "\t")), "columns are separated by tabs", row=1
    ),
    "decimal comma, quoted": Bad(
        "wgi",
        sub("DNK,2010,1.542,", 'DNK,2010,"1,542",'),
        "uses a decimal comma; write numbers with a decimal point",
        row=2,
        column="va",
        value="1,542",
    ),
    "decimal comma, unquoted": Bad(
        "wgi",
        sub("DNK,2010,1.542,", "DNK,2010,1,542,"),
        "a comma inside an unquoted number",
        row=2,
        column="va",
        value="1,542",
        also=("the row has 7 cells where the header has 6",),
    ),
    "thousands separator, unquoted": Bad(
        "paper_figures",
        sub(",8800,", ",8,800,"),
        "a comma inside an unquoted number",
        row="gdp_per_capita,",
        column="value",
        value="8,800",
    ),
    "a row short of cells": Bad(
        "wgi",
        sub("DNK,2010,1.542,2.1,1.898,2.352", "DNK,2010,1.542,2.1,1.898"),
        "the row ends before this column: it has 5 cells where the header has 6",
        row=2,
        column="cc",
    ),
    "Latin-1 bytes": Bad(
        "study_sample",
        encode(PROSECUTOR, PROSECUTOR.replace("General", "Général"), "latin-1"),
        "is not UTF-8: byte 0xe9",
        row=PROSECUTOR,
        column="activity",
        value="Elite bureaucrats at the Général Prosecutor's Office",
        also=("save it as 'CSV UTF-8'",),
    ),
    "Windows-1252 curly apostrophe": Bad(
        "study_sample",
        encode(PROSECUTOR_OFFICE, '"General Prosecutor\u2019s Office"', "cp1252"),
        "is not UTF-8: byte 0x92 ('\u2019' in Windows-1252/Latin-1)",
        row=PROSECUTOR,
        column="place",
        value="General Prosecutor\u2019s Office",
    ),
    "UTF-16": Bad("freedom_house", lambda p: p.write_bytes(p.read_text().encode("utf-16")), "is UTF-16 text"),
    "a NUL byte in a cell": Bad(
        "freedom_house",
        kz("Kazakhstan\x00,2019,NF,7,5,5,17,22"),
        "contains a NUL character",
        row=KZ_2019,
        column="country",
        value="Kazakhstan\x00",
    ),
    "a quote left open": Bad(
        "wgi",
        sub("DNK,2010,1.542,", 'DNK,2010,"1.542,'),
        "is not well-formed CSV: a quote is opened but never closed",
        row=2,
        column="va",
        value='"1.542,2.1,1.898,2.352',
    ),
    "a quote in the wrong place": Bad(
        "wgi",
        sub("DNK,2010,1.542,", 'DNK,2010,"1.5"42,'),
        "is not well-formed CSV: misplaced quote",
        row=2,
        column="va",
        value='"1.5"42',
    ),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_refused_with_one_message_naming_file_row_column_value_rule(kind, tmp_path):
    case = BAD[kind]
    folder = data_copy(tmp_path)
    path = folder / data.resource(case.table, folder)["path"]
    row = case.row
    if isinstance(row, str):
        row = row_of(path, row)
    case.write(path)
    exc = refusal(case.table, folder)
    parts = [str(path), case.rule]
    if row is not None:
        parts.append(f", row {row}")
    if case.column is not None:
        parts.append(f"column '{case.column}'")
    if case.value is not None:
        parts.append(f"value {case.value!r}")
    the_line(exc, *parts)
    for extra in case.also:
        the_line(exc, str(path), extra)
    # the error's attributes say the same as its first line
    assert exc.file == str(path)
    assert any(p.rule.startswith(case.rule.split(" (")[0]) or case.rule in str(p) for p in exc.problems)


def test_the_duplicated_key_names_both_rows(tmp_path):
    folder = data_copy(tmp_path)
    path = folder / "freedom_house.csv"
    first = row_of(path, KZ_2019)
    replace_in(path, KZ_2019, KZ_2019 + "\n" + KZ_2019)
    exc = refusal("freedom_house", folder)
    the_line(exc, f"row {first + 1}, column 'country+edition'", f"of row {first}")


def test_a_duplicated_key_written_with_a_space_still_names_the_first_row(tmp_path):
    """The standard reads ' 2019' as 2019, so the key repeats; the first row is found in the
    table's own rows, as the standard compares keys, not taken from frictionless's wording."""
    folder = data_copy(tmp_path)
    path = folder / "freedom_house.csv"
    first = row_of(path, KZ_2019)
    replace_in(path, KZ_2019, KZ_2019 + "\nKazakhstan, 2019,NF,7,5,5,17,22")
    exc = refusal("freedom_house", folder)
    the_line(exc, f"row {first + 1}, column 'country+edition'", f"of row {first}")
    the_line(exc, f"row {first + 1}, column 'edition': value ' 2019'", "has leading or trailing spaces")


def test_the_constraint_a_cell_breaks_is_read_from_the_schema():
    """datapackage.json's constraints, as the Table Schema standard defines them, decide which
    rule a message names (frictionless says only that one broke, in its own words)."""
    fh = {f["name"]: f for f in fields_of("freedom_house")}
    wgi = {f["name"]: f for f in fields_of("wgi")}
    assert validation.broken_constraint("0", fh["pr_rating"]) == "minimum"
    assert validation.broken_constraint("8", fh["pr_rating"]) == "maximum"
    assert validation.broken_constraint("7", fh["pr_rating"]) is None
    assert validation.broken_constraint("", fh["cl_score"]) == "required"
    assert validation.broken_constraint("Not free", fh["status"]) == "enum"
    assert validation.broken_constraint("DK", wgi["iso3"]) == "pattern"
    assert validation.broken_constraint("17.5", fh["cl_score"]) is None  # its type is the problem
    short = {"type": "string", "constraints": {"maxLength": 5}}
    assert validation.broken_constraint("Kazakhstan", short) == "maxLength"


def test_a_constraint_added_to_the_schema_is_named_in_the_message(tmp_path):
    folder = data_copy(tmp_path)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = [r for r in descriptor["resources"] if r["name"] == "freedom_house"]
    (country,) = [f for f in res["schema"]["fields"] if f["name"] == "country"]
    country.setdefault("constraints", {})["maxLength"] = 9
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    row = row_of(folder / "freedom_house.csv", KZ_2019)
    problems = refusal("freedom_house", folder).problems
    found = [(p.value, p.rule) for p in problems if (p.row, p.column) == (row, "country")]
    assert found == [("Kazakhstan", "must be at most 9 characters long")], found


@pytest.mark.parametrize(
    "name, transform",
    [
        ("byte-order mark", lambda b: b"\xef\xbb\xbf" + b),
        ("CRLF line ends", lambda b: b.replace(b"\n", b"\r\n")),
        ("byte-order mark and CRLF", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
        ("every cell quoted", None),
        ("blank lines at the end", lambda b: b + b"\n\n"),
        ("blank lines before the header and between rows", lambda b: b"\n\n" + b.replace(b"\n", b"\n\n", 2)),
    ],
)
@pytest.mark.parametrize("table", ["freedom_house", "wgi", "study_sample"])
def test_spreadsheet_dialects_that_mean_the_same_are_read_exactly(table, name, transform, tmp_path):
    folder = data_copy(tmp_path)
    path = folder / data.resource(table)["path"]
    original = data.load(table)
    if transform is None:
        buf = io.StringIO()
        csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(csv_records(path))
        path.write_bytes(buf.getvalue().encode("utf-8"))
    else:
        path.write_bytes(transform(path.read_bytes()))
    loaded = data.load(table, folder)
    pd.testing.assert_frame_equal(loaded, original)


@pytest.mark.parametrize(
    "transform", [lambda b: b"\xef\xbb\xbf" + b, lambda b: b.replace(b"\n", b"\r\n")], ids=["BOM", "CRLF"]
)
def test_row_numbers_stay_right_under_a_bom_or_crlf(transform, tmp_path):
    folder = data_copy(tmp_path)
    path = folder / "freedom_house.csv"
    row = row_of(path, KZ_2019)
    replace_in(path, KZ_2019, "Kazakhstan,2019,NF,8,5,5,17,22")
    path.write_bytes(transform(path.read_bytes()))
    the_line(refusal("freedom_house", folder), f"row {row}, column 'pr_rating': value '8'")


def test_row_numbers_count_spreadsheet_rows_not_lines(tmp_path):
    """A cell holding a line break is one spreadsheet row, however many lines it takes."""
    folder = data_copy(tmp_path)
    path = folder / "study_sample.csv"
    records = csv_records(path)
    records[1][5] = "a note\nover two lines"  # the note of row 2
    records[3][2] = "lots"  # participants of row 4: text in a whole number
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")
    the_line(refusal("study_sample", folder), ", row 4, column 'participants': value 'lots'")


def test_every_problem_is_listed_up_to_a_limit(tmp_path):
    folder = data_copy(tmp_path)
    path = folder / "freedom_house.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = [lines[0]] + [",".join(line.split(",")[:3] + ["9"] + line.split(",")[4:]) for line in lines[1:]]
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    exc = refusal("freedom_house", folder)
    assert len(exc.problems) == len(lines) - 1
    message = str(exc)
    assert message.startswith(f"Invalid data ({len(lines) - 1} problems):")
    assert f"... and {len(lines) - 1 - data.MAX_LISTED_PROBLEMS} more problems" in message
    assert all(p.column == "pr_rating" and p.value == "9" for p in exc.problems)


def test_a_bad_reference_table_is_named_not_the_table_that_refers_to_it(tmp_path):
    folder = data_copy(tmp_path)
    replace_in(folder / "countries.csv", "KAZ,Kazakhstan,Central Asia", "KAZ,Kazakhstan,Asia")
    exc = refusal("freedom_house", folder)
    the_line(exc, str(folder / "countries.csv"), "row 3, column 'region': value 'Asia'", "must be one of")


def test_thresholds_that_leave_a_gap_are_refused_not_crashed_on(tmp_path):
    folder = data_copy(tmp_path)
    replace_in(folder / "freedom_status_thresholds.csv", "NF,Not free,5.5,7.0", "NF,Not free,6.5,7.0")
    path = folder / "freedom_house.csv"
    exc = refusal("freedom_house", folder)
    the_line(exc, str(path), f"row {row_of(path, KZ_2019)}, column 'status'", "lies in no status band")


def test_an_unknown_table_or_a_broken_descriptor_is_said_plainly(tmp_path):
    with pytest.raises(KeyError, match="no table named 'nope' in the descriptor; known tables: .*freedom_house"):
        data.load("nope")
    folder = data_copy(tmp_path)
    (folder / "datapackage.json").write_text("{ not json", encoding="utf-8")
    exc = refusal("freedom_house", folder)
    the_line(exc, str(folder / "datapackage.json"), "is not valid JSON")
    (folder / "datapackage.json").unlink()
    the_line(refusal("freedom_house", folder), "the descriptor file is missing")


def test_paths_inside_the_repository_are_shown_relative_to_it(tmp_path):
    problem = data.Problem(validation.display(DATA / "freedom_house.csv"), "rule", row=3, column="c", value="v")
    assert str(problem) == "data/freedom_house.csv, row 3, column 'c': value 'v': rule"
    assert validation.display(tmp_path / "x.csv") == str(tmp_path / "x.csv")  # outside it: as given


# --------------------------------------------------------------------------- the standard tool and the cache


def test_the_standard_tool_finds_the_package_valid():
    """``frictionless validate data/datapackage.json``, as a user who brings tables would run it."""
    tool = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run(
        [str(tool), "validate", "data/datapackage.json"], cwd=paths.ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"frictionless validate reports errors:\n{proc.stdout}\n{proc.stderr}"
    assert "INVALID" not in proc.stdout, proc.stdout


def test_every_table_declares_what_the_standard_needs():
    desc = data.descriptor()
    assert desc["profile"] == "tabular-data-package"
    for res in desc["resources"]:
        assert res["profile"] == "tabular-data-resource", res["name"]
        assert res["dialect"]["delimiter"] == "," and res["dialect"]["header"] is True, res["name"]
        for f in res["schema"]["fields"]:
            if f["type"] == "boolean":
                assert (f["trueValues"], f["falseValues"]) == (["true"], ["false"]), (res["name"], f["name"])


# --------------------------------------------------------------------------- provenance

PAPER_DOI = "https://doi.org/10.4000/irpp.325"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize("name", NAMES)
def test_every_table_names_where_it_came_from_and_when_it_was_written(name):
    """Every source is the paper with its paragraph or table, or a publisher's release with its
    address (and, for a dataset's edition, the date it was retrieved); ``created`` is a date."""
    res = data.resource(name)
    assert res.get("sources"), f"{name}: no sources"
    for s in res["sources"]:
        if s.get("path") == PAPER_DOI:
            assert s.get("paragraph"), f"{name}: the paper is a source but no paragraph or table is named"
        else:
            assert s.get("publisher") and s.get("path"), f"{name}: source {s.get('title')!r} lacks publisher or address"
            if s.get("edition"):
                assert ISO_DATE.search(s.get("retrieved", "")), f"{name}: edition {s['edition']} with no retrieval date"
    created = res.get("created", "")
    assert ISO_DATE.fullmatch(created), f"{name}: 'created' is {created!r}, not a YYYY-MM-DD date"


def test_the_countries_name_the_standard_of_their_codes():
    res = data.resource("countries")
    assert any(s.get("title", "").startswith("ISO 3166-1") for s in res["sources"])
    assert ISO_DATE.fullmatch(res.get("created", ""))


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache of verdicts, and a log of the tables frictionless validates."""
    from halfopen import package_check

    monkeypatch.setenv(data.VALIDATED_DIR_ENV, str(tmp_path / "validated"))
    validated: list[str] = []
    original = package_check.Runner.resource_problems

    def logged(self, res):
        validated.append(res["name"])
        return original(self, res)

    monkeypatch.setattr(package_check.Runner, "resource_problems", logged)
    return validated


def test_an_unchanged_package_is_validated_once(tmp_path, fresh_cache):
    folder = data_copy(tmp_path)
    assert not data.validated(folder)
    data.validate(folder)
    assert sorted(fresh_cache) == sorted(NAMES)
    assert data.validated(folder)
    fresh_cache.clear()
    data.validate(folder)
    data.load("freedom_house", folder)
    assert fresh_cache == [], "unchanged tables were validated again"


def test_a_changed_table_is_validated_again_with_the_tables_that_read_it(tmp_path, fresh_cache):
    folder = data_copy(tmp_path)
    data.validate(folder)
    fresh_cache.clear()
    replace_in(folder / "wgi.csv", "DNK,2010,1.542", "DNK,2010,1.543")
    assert not data.validated(folder)
    assert data.load("wgi", folder)["va"].iloc[0] == 1.543
    assert fresh_cache == ["wgi"]
    fresh_cache.clear()
    replace_in(folder / "freedom_status_thresholds.csv", "F,Free,1.0,2.5", "F,Free,1.0,2.6")
    data.validate(folder)
    assert sorted(fresh_cache) == ["freedom_house", "freedom_status_thresholds"]


def test_a_bad_table_is_never_remembered(tmp_path, fresh_cache):
    folder = data_copy(tmp_path)
    replace_in(folder / "wgi.csv", "DNK,2010,1.542", "DNK,2010,9.542")
    for _ in range(2):
        with pytest.raises(data.DataError, match="must be at most 3"):
            data.validate(folder)
    assert fresh_cache.count("wgi") == 2
    assert not data.validated(folder)


def test_a_bad_table_is_refused_by_load_in_a_fresh_process_with_the_message_of_validate(tmp_path, monkeypatch):
    """As a chapter opened on its own in Jupyter would: no runner, no verdict remembered."""
    monkeypatch.setenv(data.VALIDATED_DIR_ENV, str(tmp_path / "validated"))
    folder = data_copy(tmp_path)
    replace_in(folder / "freedom_house.csv", KZ_2019, "Kazakhstan,2019,PF,7,5,5,17,22")
    with pytest.raises(data.DataError) as caught:
        data.validate(folder)
    code = f"from halfopen import data\ndata.load('wgi', {str(folder)!r})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode != 0
    assert f"halfopen.validation.DataError: {caught.value}" in proc.stderr, proc.stderr


def test_a_known_valid_package_loads_without_importing_frictionless(tmp_path, monkeypatch):
    monkeypatch.setenv(data.VALIDATED_DIR_ENV, str(tmp_path / "validated"))
    data.validate()
    code = "import sys\nfrom halfopen import data\ndata.load_all()\nprint('frictionless' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stdout + proc.stderr


def test_the_read_log_names_the_table_and_the_tables_its_validation_reads(tmp_path, monkeypatch):
    log = tmp_path / "reads.jsonl"
    monkeypatch.setenv(data.READ_LOG_ENV, str(log))
    data.load("freedom_house")
    read = {Path(json.loads(line)["path"]).name for line in log.read_text().splitlines()}
    assert read == {"datapackage.json", "freedom_house.csv", "countries.csv", "freedom_status_thresholds.csv"}


def test_an_unknown_check_in_the_descriptor_is_said_plainly(tmp_path):
    folder = data_copy(tmp_path)
    replace_in(folder / "datapackage.json", '"type": "not_before"', '"type": "not_after"')
    exc = refusal("events", folder)
    the_line(exc, str(folder / "datapackage.json"), "table 'events' has a check the book doesn't know")


# --------------------------------------------------------------------------- through the command line


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory):
    """One copy of the book for the command-line cases (each restores the table it breaks)."""
    from copies import copy_book

    return copy_book(tmp_path_factory.mktemp("bad-data") / "book")


CLI = {
    # case, chapter reading that table
    "political-rights rating 8": "02",
    "status its ratings don't give": "02",
    "semicolon separators": "02",
    "Windows-1252 curly apostrophe": "04",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CLI))
def test_the_command_line_stops_with_the_message_and_no_pandas_traceback(kind, book_copy, tmp_path):
    from copies import fail, halfopen
    from test_runner import statuses

    case = BAD[kind]
    path = book_copy / "data" / data.resource(case.table)["path"]
    original = path.read_bytes()
    row = row_of(path, case.row) if isinstance(case.row, str) else case.row
    build = tmp_path / "build"
    try:
        case.write(path)
        proc = halfopen(book_copy, "run", CLI[kind], "--build-dir", str(build), "--no-progress")
    finally:
        path.write_bytes(original)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, fail(proc)
    # the runner validates before any kernel starts: no chapter runs, or each one it ran failed
    assert set(statuses(proc).values()) <= {"failed"}, fail(proc)
    # the message, in the path a user of the book knows, on one line
    parts = [f"data/{path.name}", case.rule] + ([f", row {row}"] if row else [])
    parts += [f"column '{case.column}'"] if case.column else []
    parts += [f"value {case.value!r}"] if case.value is not None else []
    assert any(all(p in line for p in parts) for line in out.splitlines()), f"{parts}\n{fail(proc)}"
    assert "Invalid data" in out, fail(proc)
    assert "site-packages/pandas" not in out and "pandas/core" not in out and "pandas/io" not in out, fail(proc)
    assert "Traceback" not in out, f"bad input deserves its message, not a traceback:\n{fail(proc)}"
    # nothing rendered from the bad table: no executed notebook of that chapter
    rendered = [p for p in (build / "executed").glob(f"{CLI[kind]}_*.ipynb") if not p.name.endswith(".failed.ipynb")]
    assert not rendered, f"a chapter rendered the bad table: {rendered}"
