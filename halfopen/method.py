"""The update's method (chapters 13 to 15): its countries, its measures and their classes, the
years compared, and each measure's change.

The paper had one year of index data. The update puts four composite indices side by side over
time for the countries of Table 1: Freedom House (*Freedom in the World*), the Open Budget
Survey (OBS), the UN E-Government Development Index (EGDI) and the World Bank's Worldwide
Governance Indicators (WGI). Every function takes the validated tables of
:func:`halfopen.data.load` and a selection of countries, so that adding a country's rows to the
tables and naming it in a chapter parameter is enough to show it. :func:`load_study` builds the
:class:`Study` all three chapters start from.

The chapters describe; they do not average across indices. Three steps are the method, here:

1. **Classes from the paper.** Which measures count as *technocratic* (what the paper finds
   adopted) and which as *political* (what it finds resisted by elites) is data:
   ``data/measure_classes.csv``, one row per measure with the paragraphs it rests on, the
   other reading where the paper reads the measure both ways, and its role (compared, a
   check, or only shown). :data:`MEASURES` says where each is read and on what scale.
2. **The years every compared measure covers** (:func:`common_window`), which the chapters'
   parameters may narrow, never stretch (:func:`narrow_window`). Inside it each measure uses
   its own observations nearest to the window's ends (:func:`endpoints`).
3. **Changes on each measure's own scale** (:func:`changes`): places of a rank, units of a
   WGI estimate, points of a 0-100 score. Nothing is converted to a common unit.

Each source's tables and figures have their own module (:mod:`halfopen.freedom_house`,
:mod:`halfopen.open_budget`, :mod:`halfopen.egov_survey`; the series every source shares in
:mod:`halfopen.timeseries`), and the chapters' sentences theirs (:mod:`halfopen.sentences`).
Whether the indices show the pattern the thesis leads one to expect is not settled by one
window or one reading: :mod:`halfopen.multiverse` computes it under every defensible
specification (chapter 15), and :mod:`halfopen.levels` sets each level beside its own
reference point (chapter 14).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown

from . import data, tables

NO_DATA = "no data"


def select_countries(countries: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The rows (``iso3``, ``name``) of the ``countries`` table for ``names``, in that order.

    ``None`` means every country of the table (the six of Table 1, plus any a reader adds).
    A name the table does not know is refused with the names it does know, since every
    other table refers to countries through this one.
    """
    if names is None:
        return countries[["iso3", "name"]].reset_index(drop=True)
    if isinstance(names, str):
        names = [names]
    known = list(countries["name"])
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown countries: {', '.join(unknown)}; known: {', '.join(known)} "
            "(add a row to data/countries.csv to name another)"
        )
    return countries.set_index("name").loc[list(names)].reset_index()[["iso3", "name"]]


def missing_countries(frame: pd.DataFrame, selected: pd.DataFrame, column: str = "iso3") -> list[str]:
    """Names of the ``selected`` countries that have no row in ``frame``.

    ``column`` is the table's country column: ``iso3`` (a code) or ``country`` (a name, as
    in the Freedom House table).
    """
    present = set(frame[column])
    attr = "name" if column == "country" else "iso3"
    return [r.name for r in selected.itertuples(index=False) if getattr(r, attr) not in present]


def ordinal(n: int) -> str:
    """``42`` as ``"42nd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: UN member states ranked by the E-Government Survey (193 since 2012; 192 in 2010).
MEMBER_STATES = 193


@dataclass(frozen=True)
class Measure:
    """Where one measure of ``data/measure_classes.csv`` is read, and on what scale.

    The measure's class (technocratic or political) and the paragraphs it rests on are data,
    in that table; this says only which table, column and year column hold its values.
    """

    key: str
    table: str  # name of the table in data/
    column: str
    year: str  # the table's year column
    scale: str  # "points" (0-100), "unit" (0-1), "wgi" (about -2.5..2.5) or "rank" (1 best)
    short: str  # its name where a row or a panel is narrow (a phone's table, the specification curve)


#: Every measure the classification may name, by its key.
MEASURES = {
    m.key: m
    for m in [
        Measure("egdi_rank", "egov_survey", "egdi_rank", "survey", "rank", "EGDI rank"),
        Measure("osi", "egov_survey", "osi", "survey", "unit", "online services"),
        Measure("epi", "egov_survey", "epi", "survey", "unit", "e-participation"),
        Measure("ge", "wgi", "ge", "year", "wgi", "effectiveness"),
        Measure("cc", "wgi", "cc", "year", "wgi", "corruption control"),
        Measure("rl", "wgi", "rl", "year", "wgi", "rule of law"),
        Measure("va", "wgi", "va", "year", "wgi", "voice and accountability"),
        Measure("fh", "freedom_house", "total_score", "edition", "points", "Freedom House score"),
        Measure("obs_t", "obs_central_asia", "transparency", "round", "points", "transparency"),
        Measure("obs_p", "obs_central_asia", "participation", "round", "points", "participation"),
        Measure("obs_o", "obs_central_asia", "oversight", "round", "points", "oversight"),
    ]
}


CLASSES = ("technocratic", "political")


#: The first year from which a measure's values can be compared over time: the Open Budget
#: Survey's participation questions were redesigned for its 2017 round, so no change in
#: participation is measured from an earlier round (GIFT, "The 2017 Open Budget Survey: what the
#: results for public participation mean").
COMPARABLE_FROM = {"obs_p": 2017}


def classification(classes: pd.DataFrame, role: str | None = None) -> pd.DataFrame:
    """The rows of ``measure_classes``, in table order, optionally only those of one ``role``.

    A measure the table names that :data:`MEASURES` cannot read is refused, naming it, so a
    row added to the table cannot be silently ignored.
    """
    unknown = [k for k in classes["measure"] if k not in MEASURES]
    if unknown:
        raise ValueError(
            f"data/measure_classes.csv names measures this module cannot read: {', '.join(unknown)}; "
            f"known: {', '.join(MEASURES)}"
        )
    rows = classes if role is None else classes[classes["role"] == role]
    return rows.reset_index(drop=True)


def _rows_of(frame: pd.DataFrame, table: str, name: str, iso3: str) -> pd.DataFrame:
    """The rows of ``frame`` for one country (by name for Freedom House, else by ISO code)."""
    if table == "freedom_house":
        return frame[frame["country"] == name]
    return frame[frame["iso3"] == iso3]


def usable_years(years: list[int], key: str) -> list[int]:
    """``years`` from which a change of measure ``key`` may be measured (:data:`COMPARABLE_FROM`)."""
    first = COMPARABLE_FROM.get(key)
    return sorted(y for y in years if first is None or y >= first)


def measure_years(tables: dict[str, pd.DataFrame], key: str) -> list[int]:
    """The years in which any country has a value of measure ``key``, oldest first."""
    m = MEASURES[key]
    frame = tables[m.table]
    return sorted({int(y) for y in frame.loc[frame[m.column].notna(), m.year]})


def common_window(tables: dict[str, pd.DataFrame], keys: list[str]) -> tuple[int, int]:
    """The years every measure of ``keys`` covers: its latest first year to its earliest last.

    Each source is dated by the year in its own name (a Freedom House edition by its year
    of publication, which describes the year before). A window that would be empty is
    refused, naming each measure's years.
    """
    spans = {k: (measure_years(tables, k)[0], measure_years(tables, k)[-1]) for k in keys}
    start, end = max(a for a, _ in spans.values()), min(b for _, b in spans.values())
    if start > end:
        raise ValueError(f"the measures cover no common years: {spans}")
    return start, end


def narrow_window(common: tuple[int, int], start_year: int | None, end_year: int | None) -> tuple[int, int, list[str]]:
    """The window of the comparison: ``common``, narrowed by the parameters, never stretched.

    ``None`` keeps the common window's end. A parameter outside the common window is moved
    to its edge, and a note says so (returned as a list of sentences), so a reader who asks
    for 2010 is told the comparison starts later rather than left to believe it did not.
    """
    start, end = common
    notes = []
    if start_year is not None:
        if start_year < start:
            notes.append(f"start_year {start_year} lies before the common window; the comparison starts in {start}.")
        start = max(start, start_year)
    if end_year is not None:
        if end_year > end:
            notes.append(f"end_year {end_year} lies after the common window; the comparison ends in {end}.")
        end = min(end, end_year)
    if start > end:
        raise ValueError(
            f"start_year {start_year} and end_year {end_year} leave no years of the common window {common}"
        )
    return start, end, notes


def endpoints(years: list[int], start_year: int, end_year: int) -> tuple[int, int] | None:
    """The first and last of ``years`` within ``[start_year, end_year]``, or ``None``.

    The indices are published in different years (the E-Government Survey every two years,
    the Open Budget Survey every two to three), so each measure is compared between its own
    observations nearest to the window's ends, inside it: never one outside the window.
    Fewer than two observations give ``None``: no change can be measured.
    """
    inside = sorted(y for y in years if start_year <= y <= end_year)
    if len(inside) < 2:
        return None
    return inside[0], inside[-1]


def window_table(tables: dict[str, pd.DataFrame], classes: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Per measure compared: the years its source covers and the two it is compared between."""
    records = []
    for row in classes.to_dict("records"):
        years = measure_years(tables, row["measure"])
        ends = endpoints(usable_years(years, row["measure"]), start, end)
        since = COMPARABLE_FROM.get(row["measure"])
        records.append(
            {
                "Measure": row["label"],
                "Source covers": f"{years[0]}–{years[-1]}" + (f" (comparable from {since})" if since else ""),
                "Compared": f"{ends[0]} and {ends[1]}" if ends else "fewer than two observations",
            }
        )
    return pd.DataFrame(records).set_index("Measure")


#: The tables the update reads (``data/NAME.csv``), loaded and validated by :func:`load_study`.
STUDY_TABLES = (
    "countries",
    "freedom_house",
    "freedom_status_thresholds",
    "obs_central_asia",
    "obs_2017_countries",
    "obs_score_bands",
    "egov_survey",
    "wgi",
    "measure_classes",
)


@dataclass(eq=False)
class Study:
    """What both chapters of the update start from, built by :func:`load_study`.

    The update is two chapters (13: the method, Freedom House and the Open Budget Survey; 14:
    the E-Government Survey, the governance indicators and the levels; 15: every specification). All take the
    same parameters and build this from them, so the second compares exactly the countries,
    classes and window that the first describes.
    """

    tables: dict[str, pd.DataFrame]  #: the validated tables, by name (:data:`STUDY_TABLES`)
    selected: pd.DataFrame  #: the countries shown (``iso3``, ``name``), in the order asked for
    comparator: pd.DataFrame  #: the comparator's one row
    focal: pd.Series  #: the country the prose follows
    classes: pd.DataFrame  #: every measure, classed (:func:`classification`)
    compared: pd.DataFrame  #: the measures compared
    common: tuple[int, int]  #: the years every compared measure covers (:func:`common_window`)
    start: int  #: the window compared: ``common``, narrowed by the parameters
    end: int
    window_notes: list[str]  #: why the window is not what the parameters asked for, if it is not

    @property
    def comparator_name(self) -> str:
        return str(self.comparator["name"].iloc[0])

    def setting_values(self) -> dict[str, str | int]:
        """The values the chapters' prose states about the setting (for ``{glue:text}``)."""
        return {
            "shown": tables.join_words(list(self.selected["name"])),
            "focus": str(self.focal["name"]),
            "comparator": self.comparator_name,
            "start": self.start,
            "end": self.end,
            "common_start": self.common[0],
            "common_end": self.common[1],
            "start_covers": self.start - 1,
            "window_note": " ".join(self.window_notes) or "here they leave it whole",
        }


def load_study(
    data_dir: str | None = None,
    countries: list[str] | None = None,
    focus: str = "Kazakhstan",
    comparator: str = "Denmark",
    start_year: int | None = None,
    end_year: int | None = None,
) -> Study:
    """Load the update's tables and settle its countries and window from the chapters' parameters.

    The parameters mean what the chapters' parameters cells say. A country the tables do
    not know is refused by :func:`select_countries`; a window the parameters would empty, by
    :func:`narrow_window`.
    """
    tables = {name: data.load(name, data_dir) for name in STUDY_TABLES}
    compared = classification(tables["measure_classes"], "compared")
    common = common_window(tables, list(compared["measure"]))
    start, end, notes = narrow_window(common, start_year, end_year)
    return Study(
        tables=tables,
        selected=select_countries(tables["countries"], countries),
        comparator=select_countries(tables["countries"], comparator),
        focal=select_countries(tables["countries"], focus).iloc[0],
        classes=classification(tables["measure_classes"]),
        compared=compared,
        common=common,
        start=start,
        end=end,
        window_notes=notes,
    )


def _value(rows: pd.DataFrame, m: Measure, year: int) -> float:
    hit = rows.loc[rows[m.year] == year, m.column]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else math.nan


def changes(
    tables: dict[str, pd.DataFrame],
    selected: pd.DataFrame,
    classes: pd.DataFrame,
    start_year: int,
    end_year: int,
) -> pd.DataFrame:
    """Change of every classified measure for every selected country, on each measure's own scale.

    One row per country and measure (in selection and table order): its class and
    alternative, the years compared (``from``, ``to``: the country's first and last
    observation inside the window), the values at both ends and their change (for a rank, a
    fall in the number is a rise in place). Where a value is missing the row is kept, with
    NaN and a ``note`` saying why. The comparison of every specification is
    :mod:`halfopen.multiverse`'s; this describes one window.
    """
    out = []
    for country in selected.itertuples(index=False):
        for row in classes.to_dict("records"):
            m = MEASURES[row["measure"]]
            rows = _rows_of(tables[m.table], m.table, country.name, country.iso3)
            rows = rows[rows[m.column].notna()]
            ends = endpoints(usable_years([int(y) for y in rows[m.year]], row["measure"]), start_year, end_year)
            rec = {
                "Country": country.name,
                "measure": row["measure"],
                "Measure": row["label"],
                "class": row["class"],
                "alternative": row["alternative"] if isinstance(row["alternative"], str) else "",
                "from": pd.NA,
                "to": pd.NA,
                "start": math.nan,
                "end": math.nan,
                "change": math.nan,
                "note": "",
            }
            if rows.empty:
                rec["note"] = NO_DATA
            elif ends is None:
                rec["note"] = f"fewer than two observations in {start_year}–{end_year}"
            else:
                first, last = _value(rows, m, ends[0]), _value(rows, m, ends[1])
                rec.update({"from": ends[0], "to": ends[1], "start": first, "end": last, "change": last - first})
            out.append(rec)
    frame = pd.DataFrame(out)
    frame["from"] = frame["from"].astype("Int64")
    frame["to"] = frame["to"].astype("Int64")
    return frame


def class_table(classes: pd.DataFrame) -> pd.DataFrame:
    """The classification as the chapter's table shows it: class, other reading, paragraphs, role.

    The reasons, a paragraph each, follow the table as a list (:func:`class_reasons`): in a
    column they would make every row a screen tall on a phone.
    """
    shown = pd.DataFrame(
        {
            "Measure": classes["label"],
            "Class": classes["class"],
            "Other reading": classes["alternative"].fillna(""),
            "Paragraphs": [tables.paragraphs_text(p) for p in classes["paragraphs"]],
            "Role": classes["role"],
        }
    )
    return shown.set_index("Measure")


def class_reasons(classes: pd.DataFrame) -> Markdown:
    """Why each measure is classed as it is, in our words: a MyST list shown under the table, one
    item per measure, its label in bold (the text escaped, as a table's cells are)."""
    items = [f"- **{tables.escape(r['label'])}.** {tables.escape(r['reading'])}" for r in classes.to_dict("records")]
    return Markdown("\n".join(items) + "\n")


def series_of(tables: dict[str, pd.DataFrame], key: str, name: str, iso3: str) -> pd.Series:
    """The values of measure ``key`` for one country on the source's own scale, indexed by year."""
    m = MEASURES[key]
    rows = _rows_of(tables[m.table], m.table, name, iso3)
    return pd.Series(
        [float(v) if pd.notna(v) else math.nan for v in rows[m.column]], index=[int(y) for y in rows[m.year]]
    ).sort_index()


def change_of(change_table: pd.DataFrame, country: str, key: str, column: str = "change") -> float:
    """One value of the change table (``change``, ``start``, ``end``...), or NaN."""
    hit = change_table[(change_table["Country"] == country) & (change_table["measure"] == key)]
    return float(hit[column].iloc[0]) if len(hit) and pd.notna(hit[column].iloc[0]) else math.nan
