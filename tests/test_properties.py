"""Property-based tests of the loader (issue 5): every table is loaded exactly or refused clearly.

Hypothesis generates tables (valid Freedom House editions written in the dialects spreadsheets
produce; perturbations of them and of every real table: a cell rewritten, rows dropped,
duplicated or shuffled, columns dropped, renamed or swapped, the file re-encoded or re-separated,
arbitrary bytes). Each one must either load exactly (every value is the value its cell writes,
and the descriptor's rules hold) or raise :class:`~halfopen.data.DataError` whose message names
the file, and for a problem in a row, that row, the column, and the rule. Any other exception
fails the test. Runs are derandomised, so a failure repeats.
"""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_data import assert_round_trip, csv_records

from halfopen import data, derive, paths

SETTINGS = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

NAMES = data.table_names()
COUNTRIES = list(data.load("countries")["name"])
THRESHOLDS = data.load("freedom_status_thresholds")
FH_FIELDS = data.resource("freedom_house")["schema"]["fields"]
FH_HEADER = [f["name"] for f in FH_FIELDS]

#: Cell texts a person or a spreadsheet is likely to write, beside Hypothesis's arbitrary text.
TRICKY = [
    "",
    " ",
    "0",
    "8",
    "101",
    "-1",
    "-0",
    "+3",
    "07",
    "1.5",
    "1,5",
    "1 000",
    "1e3",
    "1e999",
    "nan",
    "NaN",
    "inf",
    "１７",
    "٣",
    "true",
    "false",
    "TRUE",
    "F",
    "PF",
    "NF",
    "Not free",
    "Kazakhstan",
    "kazakhstan",
    "Kazakhstan ",
    " Kazakhstan",
    "Kazakhstan\u00a0",
    "Казахстан",
    "K\u0430zakhstan",
    "KAZ",
    "kaz",
    "2019",
    "2019.0",
    '"',
    "'",
    "a,b",
    "a;b",
    "line\nbreak",
    "cr\rlf",
    "tab\there",
    "nul\x00",
    "\ufeff",
    "<script>alert(1)</script>",
    "99999999999999999999",
    "=1+1",
]
#: Number-like text: signs, any script's digits (full-width, Arabic-Indic...), decimal points or commas.
NUMBERISH = st.from_regex(r"[+-]?[0-9\uff10-\uff19\u0660-\u0669]{1,3}([.,][0-9]{1,3})?", fullmatch=True)
CELL_TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.integers(-200, 2200).map(str),
    NUMBERISH,
    st.text(alphabet=st.characters(categories=("Nd",)), min_size=1, max_size=3),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A copy of data/ that each example writes one table into (and restores after)."""
    dest = tmp_path_factory.mktemp("properties") / "data"
    shutil.copytree(paths.DATA_DIR, dest)
    return dest


def write_records(
    path, records, *, terminator="\n", quoting=csv.QUOTE_MINIMAL, delimiter=",", encoding="utf-8", bom=False
):
    buf = io.StringIO()
    csv.writer(buf, lineterminator=terminator, quoting=quoting, delimiter=delimiter).writerows(records)
    raw = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)


def load_or_refusal(name, folder):
    """The loaded frame, or the DataError; any other exception propagates and fails the test."""
    try:
        return data.load(name, folder), None
    except data.DataError as exc:
        assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
        assert exc.problems and str(exc).startswith("Invalid data")
        return None, exc


def refers_to(problem, path):
    """The problem is a foreign key of another table that no longer finds its value in ``path``."""
    name = path.stem
    return problem.file != str(path) and f" listed in table '{name}'" in problem.rule


def assert_names_the_row(exc, path, row, columns=None):
    """Some problem sits at ``row`` (or names it as the row it repeats/overlaps), with a column.

    The whole package is validated, so an edit of a table others refer to may be refused by
    their foreign keys alone: then every problem is such a reference, with its row and column.
    """
    shown = str(path)
    assert all(
        p.file == shown or p.file.endswith(("countries.csv", "freedom_status_thresholds.csv")) or refers_to(p, path)
        for p in exc.problems
    ), str(exc)
    if not any(p.file == shown for p in exc.problems):
        assert all(refers_to(p, path) and p.row is not None and p.column is not None for p in exc.problems), str(exc)
        return
    hits = [p for p in exc.problems if p.row == row or f"row {row}" in p.rule]
    assert hits, f"no problem names row {row}:\n{exc}"
    for p in hits:
        line = str(p)
        assert line.startswith(shown) and f"row {p.row}" in line and p.rule in line
        assert p.column is not None and f"column '{p.column}'" in line, line
        if columns is not None:
            assert p.column in columns, (p.column, columns)
        assert line in str(exc) or len(exc.problems) > data.MAX_LISTED_PROBLEMS


def assert_rules_hold(frame):
    """A loaded Freedom House table obeys every rule of its descriptor."""
    assert not frame.duplicated(["country", "edition"]).any()
    assert set(frame["country"]) <= set(COUNTRIES)
    for row in frame.itertuples(index=False):
        assert row.total_score == row.pr_score + row.cl_score
        assert 1 <= row.pr_rating <= 7 and 1 <= row.cl_rating <= 7 and 0 <= row.total_score <= 100
        assert row.status == derive.freedom_status(derive.freedom_rating(row.pr_rating, row.cl_rating), THRESHOLDS)


# --------------------------------------------------------------------------- generated Freedom House tables


@st.composite
def fh_rows(draw):
    """A valid freedom_house table: unique (country, edition), status from the ratings, total = sum."""
    keys = draw(
        st.lists(st.tuples(st.sampled_from(COUNTRIES), st.integers(1973, 2100)), min_size=1, max_size=12, unique=True)
    )
    rows = []
    for country, edition in keys:
        pr, cl = draw(st.integers(1, 7)), draw(st.integers(1, 7))
        status = derive.freedom_status(derive.freedom_rating(pr, cl), THRESHOLDS)
        prs, cls = draw(st.integers(0, 40)), draw(st.integers(0, 60))
        rows.append([country, edition, status, pr, cl, prs, cls, prs + cls])
    return rows


DIALECT = st.fixed_dictionaries(
    {
        "terminator": st.sampled_from(["\n", "\r\n"]),
        "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
        "bom": st.booleans(),
    }
)


@SETTINGS
@given(rows=fh_rows(), dialect=DIALECT, blank_lines=st.integers(0, 2))
def test_a_valid_table_in_any_harmless_dialect_loads_exactly(folder, rows, dialect, blank_lines):
    path = folder / "freedom_house.csv"
    original = path.read_bytes()
    try:
        write_records(path, [FH_HEADER] + [[str(v) for v in r] for r in rows], **dialect)
        path.write_bytes(path.read_bytes() + dialect["terminator"].encode() * blank_lines)
        frame, exc = load_or_refusal("freedom_house", folder)
        assert exc is None, f"a valid table was refused:\n{exc}"
        assert_round_trip(frame, path, FH_FIELDS)
        assert frame.astype(object).values.tolist() == rows
        assert_rules_hold(frame)
    finally:
        path.write_bytes(original)


@SETTINGS
@given(rows=fh_rows(), data_=st.data())
@example(rows=[["Kazakhstan", 2019, "NF", 7, 5, 5, 17, 22]], data_=None)
def test_a_perturbed_cell_is_loaded_exactly_or_refused_at_its_row(folder, rows, data_):
    path = folder / "freedom_house.csv"
    original = path.read_bytes()
    records = [FH_HEADER] + [[str(v) for v in r] for r in rows]
    if data_ is None:  # the explicit example: the paper's row with a Cyrillic name
        i, j, text = 1, 0, "Казахстан"
    else:
        i = data_.draw(st.integers(1, len(rows)), label="row")
        j = data_.draw(st.integers(0, len(FH_HEADER) - 1), label="column")
        text = data_.draw(CELL_TEXT, label="text")
    records[i][j] = text
    try:
        write_records(path, records)
        frame, exc = load_or_refusal("freedom_house", folder)
        if exc is None:
            assert_round_trip(frame, path, FH_FIELDS)
            assert_rules_hold(frame)
        else:
            # a cell's problem names its column, or the rule across columns it breaks
            assert_names_the_row(exc, path, i + 1, {FH_HEADER[j], "status", "total_score", "country+edition"})
    finally:
        path.write_bytes(original)


# --------------------------------------------------------------------------- every real table, perturbed


def real_records(name):
    return csv_records(paths.DATA_DIR / data.resource(name)["path"])


@SETTINGS
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_any_table_with_one_cell_rewritten_loads_exactly_or_names_the_row(folder, name, data_):
    path = folder / data.resource(name)["path"]
    original = path.read_bytes()
    records = real_records(name)
    i = data_.draw(st.integers(1, len(records) - 1), label="row")
    j = data_.draw(st.integers(0, len(records[0]) - 1), label="column")
    records[i][j] = data_.draw(CELL_TEXT, label="text")
    try:
        write_records(path, records)
        frame, exc = load_or_refusal(name, folder)
        if exc is None:
            assert_round_trip(frame, path, data.resource(name)["schema"]["fields"])
        else:
            assert_names_the_row(exc, path, i + 1)
    finally:
        path.write_bytes(original)


ROW_EDITS = st.sampled_from(["drop", "duplicate", "shuffle", "reverse"])


@SETTINGS
@given(name=st.sampled_from(NAMES), edit=ROW_EDITS, data_=st.data())
def test_rows_dropped_duplicated_or_reordered(folder, name, edit, data_):
    path = folder / data.resource(name)["path"]
    original = path.read_bytes()
    records = real_records(name)
    header, body = records[0], records[1:]
    if edit == "drop" and len(body) > 1:
        k = data_.draw(st.integers(0, len(body) - 1), label="row dropped")
        body = body[:k] + body[k + 1 :]
    elif edit == "duplicate":
        k = data_.draw(st.integers(0, len(body) - 1), label="row duplicated")
        body = body + [list(body[k])]
    elif edit == "shuffle":
        body = data_.draw(st.permutations(body), label="order")
    else:
        body = body[::-1]
    try:
        write_records(path, [header] + body)
        frame, exc = load_or_refusal(name, folder)
        key = data.resource(name)["schema"].get("primaryKey")
        if edit == "duplicate" and key:
            assert exc is not None, "a duplicated row with a primary key was accepted"
            assert_names_the_row(exc, path, len(body) + 1)
        elif exc is None:
            assert_round_trip(frame, path, data.resource(name)["schema"]["fields"])
        else:
            # dropping or reordering rows may only break rules across rows (a referenced name, a range)
            assert all(p.row is not None and p.column is not None for p in exc.problems), str(exc)
    finally:
        path.write_bytes(original)


@SETTINGS
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_columns_dropped_renamed_swapped_or_added_are_refused_at_the_header(folder, name, data_):
    path = folder / data.resource(name)["path"]
    original = path.read_bytes()
    records = real_records(name)
    n = len(records[0])
    edit = data_.draw(st.sampled_from(["drop", "rename", "swap", "add", "case"]), label="edit")
    j = data_.draw(st.integers(0, n - 1), label="column")
    if edit == "drop":
        records = [r[:j] + r[j + 1 :] for r in records]
    elif edit == "rename":
        new = data_.draw(st.text(min_size=1, max_size=10).filter(lambda t: t != records[0][j]), label="new name")
        records[0][j] = new
    elif edit == "swap" and n > 1:
        k = data_.draw(st.integers(0, n - 1).filter(lambda k: records[0][k] != records[0][j]), label="other")
        for r in records:
            r[j], r[k] = r[k], r[j]
    elif edit == "case":
        records[0][j] = records[0][j].upper() if records[0][j] != records[0][j].upper() else records[0][j] + " "
    else:
        records = [r + ["extra"] for r in records]
        records[0][-1] = data_.draw(
            st.text(min_size=1, max_size=10).filter(lambda t: t not in records[0]), label="name"
        )
    try:
        write_records(path, records)
        frame, exc = load_or_refusal(name, folder)
        if edit == "swap" and n == 1:
            assert exc is None
            return
        assert exc is not None, f"{edit} of column {j} was accepted"
        for p in exc.problems:
            assert p.file == str(path) and p.row == 1 and p.column is not None, str(exc)
            assert str(p).startswith(f"{path}, row 1, column '{p.column}'")
    finally:
        path.write_bytes(original)


# --------------------------------------------------------------------------- encodings and dialects

LATIN_1 = "éüöñçÉÅ°£½ø"
PLACEHOLDER = "\x01latin\x01"


@SETTINGS
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_encodings_and_separators_spreadsheets_produce_are_read_exactly_or_refused_by_name(folder, name, data_):
    path = folder / data.resource(name)["path"]
    original = path.read_bytes()
    records = real_records(name)
    fields = data.resource(name)["schema"]["fields"]
    how = data_.draw(
        st.sampled_from(["bom", "crlf", "quote all", "semicolons", "tabs", "latin-1", "decimal comma", "utf-16"]),
        label="dialect",
    )
    row = column = None
    kwargs = {}
    if how == "bom":
        kwargs["bom"] = True
    elif how == "crlf":
        kwargs["terminator"] = "\r\n"
    elif how == "quote all":
        kwargs["quoting"] = csv.QUOTE_ALL
    elif how == "semicolons":
        kwargs["delimiter"] = ";"
    elif how == "tabs":
        kwargs["delimiter"] = "\t"
    elif how == "utf-16":
        kwargs["encoding"] = "utf-16"
    elif how == "latin-1":
        i = data_.draw(st.integers(1, len(records) - 1), label="row")
        j = data_.draw(st.integers(0, len(fields) - 1), label="column")
        ch = data_.draw(st.sampled_from(LATIN_1), label="character")
        at = data_.draw(st.integers(0, len(records[i][j])), label="position")
        # one cell saved as Latin-1 in a UTF-8 file (a spreadsheet saving the whole file as Latin-1
        # would be refused at the first non-ASCII cell; the data's other cells may hold any text)
        records[i][j] = records[i][j][:at] + PLACEHOLDER + records[i][j][at:]
        latin = ch.encode("latin-1")
        row, column = i + 1, fields[j]["name"]
    else:  # decimal comma in a number that has a decimal point
        cells = [
            (i, j)
            for i, r in enumerate(records[1:], start=1)
            for j, f in enumerate(fields)
            if f.get("type") == "number" and "." in r[j]
        ]
        if not cells:
            return
        i, j = data_.draw(st.sampled_from(cells), label="cell")
        records[i][j] = records[i][j].replace(".", ",")
        row, column = i + 1, fields[j]["name"]
    try:
        write_records(path, records, **kwargs)
        if how == "latin-1":
            path.write_bytes(path.read_bytes().replace(PLACEHOLDER.encode(), latin))
        frame, exc = load_or_refusal(name, folder)
        if how in ("bom", "crlf", "quote all"):
            assert exc is None, str(exc)
            pd.testing.assert_frame_equal(frame, data.load(name))
            return
        single_column = len(fields) == 1
        if how in ("semicolons", "tabs") and (single_column or not any(len(r) > 1 for r in records)):
            return
        assert exc is not None, f"{how} was read silently"
        message = str(exc)
        assert str(path) in message
        if how in ("semicolons", "tabs"):
            assert f"row 1: columns are separated by {how}" in message
        elif how == "utf-16":
            assert "is UTF-16 text" in message
        elif how == "latin-1":
            assert_names_the_row(exc, path, row, {column})
            assert "is not UTF-8" in message and "save it as 'CSV UTF-8'" in message
        else:
            assert_names_the_row(exc, path, row, {column})
            assert "decimal comma" in message
    finally:
        path.write_bytes(original)


@SETTINGS
@given(name=st.sampled_from(NAMES), body=st.binary(max_size=200), keep_header=st.booleans())
def test_arbitrary_bytes_are_loaded_or_refused_never_crashed_on(folder, name, body, keep_header):
    path = folder / data.resource(name)["path"]
    original = path.read_bytes()
    header = (",".join(real_records(name)[0]) + "\n").encode() if keep_header else b""
    try:
        path.write_bytes(header + body)
        frame, exc = load_or_refusal(name, folder)
        if exc is None:
            assert_round_trip(frame, path, data.resource(name)["schema"]["fields"])
        else:
            assert str(path) in str(exc)
    finally:
        path.write_bytes(original)
