"""The public indices over time, for the update (chapters 13 to 15).

The paper had one year of index data. This module puts four composite indices side by side
over time for the countries of Table 1: Freedom House (*Freedom in the World*), the Open
Budget Survey (OBS), the UN E-Government Development Index (EGDI) and the World Bank's
Worldwide Governance Indicators (WGI). Every function takes the validated tables of
:func:`halfopen.data.load` and a selection of countries, so that adding a country's rows to
the tables and naming it in a chapter parameter is enough to show it. A named country that a
table lacks is never dropped silently: the table leaves out its row and its caption names it
(:func:`absent_caption`); a figure names it under the plot.

The chapters describe; they do not average across indices. Three steps are functions here:

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

Whether the indices show the pattern the thesis leads one to expect is not settled by one
window or one reading: :mod:`halfopen.multiverse` computes it under every defensible
specification (chapter 15), and :mod:`halfopen.levels` sets each level beside its own
reference point (chapter 14).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.lines import Line2D

from . import data, derive, tables, theme

NO_DATA = "no data"


# --------------------------------------------------------------------------- countries


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


def names_text(names: list[str]) -> str:
    """``["A", "B", "C"]`` as ``"A, B and C"``; an empty list as ``"none"``."""
    if not names:
        return "none"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def ordinal(n: int) -> str:
    """``42`` as ``"42nd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------- measures


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


def paragraphs_text(paragraphs: str) -> str:
    """``"6;28;44-45"`` as ``"¶6, ¶28, ¶44–45"``."""
    return ", ".join("¶" + p.replace("-", "–") for p in paragraphs.split(";"))


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


# --------------------------------------------------------------------------- the two chapters' start

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
            "shown": names_text(list(self.selected["name"])),
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


# --------------------------------------------------------------------------- describing a series


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
            "Paragraphs": [paragraphs_text(p) for p in classes["paragraphs"]],
            "Role": classes["role"],
        }
    )
    return shown.set_index("Measure")


def class_reasons(classes: pd.DataFrame) -> Markdown:
    """Why each measure is classed as it is, in our words: a MyST list shown under the table, one
    item per measure, its label in bold (the text escaped, as a table's cells are)."""
    items = [f"- **{tables.escape(r['label'])}.** {tables.escape(r['reading'])}" for r in classes.to_dict("records")]
    return Markdown("\n".join(items) + "\n")


def moves_text(change_table: pd.DataFrame, key: str, fmt: str = "{:.0f}") -> str:
    """Each country's value of measure ``key`` at both ends of its comparison, as a phrase:
    ``"Denmark 98 to 97 and Kazakhstan 26 to 23"`` (on the measure's own scale; "no data" kept)."""
    rows = change_table[change_table["measure"] == key]
    return names_text(
        [
            f"{r.Country} {fmt.format(r.start)} to {fmt.format(r.end)}"
            if pd.notna(r.change)
            else f"{r.Country}: {r.note}"
            for r in rows.itertuples(index=False)
        ]
    )


def series_of(tables: dict[str, pd.DataFrame], key: str, name: str, iso3: str) -> pd.Series:
    """The values of measure ``key`` for one country on the source's own scale, indexed by year."""
    m = MEASURES[key]
    rows = _rows_of(tables[m.table], m.table, name, iso3)
    return pd.Series(
        [float(v) if pd.notna(v) else math.nan for v in rows[m.column]], index=[int(y) for y in rows[m.year]]
    ).sort_index()


def rank_drift(egov: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Per selected country: its EGDI and rank in the first and last survey of the table.

    ``drift`` is True where the index rose while the rank did not improve: the level of the
    EGDI rises for nearly everyone from survey to survey, so a rising level alone does not
    say that a country gained on the others. Countries without rows are left out.
    """
    first, last = edition_span(egov, "survey")
    records = []
    for c in selected.itertuples(index=False):
        part = egov[egov["iso3"] == c.iso3].set_index("survey")
        if first not in part.index or last not in part.index:
            continue
        d_level = (float(part.at[last, "egdi"]) - float(part.at[first, "egdi"])) * 100
        r0, r1 = int(part.at[first, "egdi_rank"]), int(part.at[last, "egdi_rank"])
        records.append(
            {
                "Country": c.name,
                "from": first,
                "to": last,
                "level change": d_level,
                "rank from": r0,
                "rank to": r1,
                "drift": d_level > 0 and r1 >= r0,
            }
        )
    return pd.DataFrame(records, columns=["Country", "from", "to", "level change", "rank from", "rank to", "drift"])


def rank_drift_text(drift: pd.DataFrame) -> str:
    """The countries of :func:`rank_drift` whose index rose while their rank did not, as a phrase."""
    hits = drift[drift["drift"]]
    if hits.empty:
        return "no country shown rose in level without also rising in rank"
    return names_text(
        [
            f"{r['Country']}'s index rose by {r['level change']:.1f} points while its rank went from "
            f"{r['rank from']} to {r['rank to']}"
            for r in hits.to_dict("records")
        ]
    )


def largest_gain(change_table: pd.DataFrame, country: str, keys: list[str]) -> str:
    """The label of the measure among ``keys`` with ``country``'s largest change, or "none"."""
    rows = change_table[(change_table["Country"] == country) & change_table["measure"].isin(keys)].dropna(
        subset=["change"]
    )
    return str(rows.loc[rows["change"].idxmax(), "Measure"]) if len(rows) else "none"


def change_of(change_table: pd.DataFrame, country: str, key: str, column: str = "change") -> float:
    """One value of the change table (``change``, ``start``, ``end``...), or NaN."""
    hit = change_table[(change_table["Country"] == country) & (change_table["measure"] == key)]
    return float(hit[column].iloc[0]) if len(hit) and pd.notna(hit[column].iloc[0]) else math.nan


def signed(value: float, fmt: str = "{:+.1f}", missing: str = NO_DATA) -> str:
    """A change as text with its sign (``fmt``, a true minus sign), or ``missing`` for NaN.

    A change that rounds to zero at the format's precision is written without a sign: "0.00",
    never "−0.00".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = fmt.format(value)
    if not any(c in "123456789" for c in re.sub(r"\D", "", text)):
        text = text.replace("+", "", 1).replace("-", "", 1)
    return tables.minus(text)


def describe_path(values: pd.Series, fmt: str = "{:.2f}", missing: str = NO_DATA) -> str:
    """How a series moved, as a phrase: its first value, its low and high if they lie between,
    and its last. ``values`` is indexed by year; missing values are skipped.

    ``"43.09 in 2006, a low of 34.77 in 2008, a high of 62.96 in 2021 and 62.66 in 2023"``:
    the first and last alone would hide a dip or a peak on the way. An empty series gives
    ``missing``.
    """
    s = values.dropna().sort_index()
    if s.empty:
        return missing
    first, last = s.index[0], s.index[-1]
    parts = [f"{fmt.format(s.iloc[0])} in {first}"]
    inner = s.iloc[1:-1]
    if len(inner):
        low, high = inner.idxmin(), inner.idxmax()
        if s[low] < min(s.iloc[0], s.iloc[-1]):
            parts.append(f"a low of {fmt.format(s[low])} in {low}")
        if s[high] > max(s.iloc[0], s.iloc[-1]):
            parts.append(f"a high of {fmt.format(s[high])} in {high}")
        if len(parts) == 3 and high < low:
            parts[1], parts[2] = parts[2], parts[1]
    if len(s) > 1:
        parts.append(f"{fmt.format(s.iloc[-1])} in {last}")
    text = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return tables.minus(text)


# --------------------------------------------------------------------------- Freedom House


def fh_table(fh: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Freedom House by edition: rows are countries, columns editions.

    A cell reads ``"22 NF (7/5)"``: aggregate score (0-100), status, and the political-rights
    and civil-liberties ratings (1 best, 7 worst). A selected country without rows keeps an
    empty row.
    """
    editions = sorted(int(e) for e in fh["edition"].unique())
    rows = {}
    for name in selected["name"]:
        part = fh[fh["country"] == name].set_index("edition")
        rows[name] = {
            str(e): (
                "{} {} ({}/{})".format(*part.loc[e, ["total_score", "status", "pr_rating", "cl_rating"]])
                if e in part.index
                else None
            )
            for e in editions
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[str(e) for e in editions])
    table.index.name = "Country"
    return table


def status_changes(fh: pd.DataFrame, country: str) -> list[tuple[int, str, str]]:
    """Every edition in which ``country``'s status differs from the edition before.

    Returned as ``(edition, previous status, new status)``, oldest first.
    """
    part = fh[fh["country"] == country].sort_values("edition")
    out = []
    prev = None
    for r in part.itertuples(index=False):
        if prev is not None and r.status != prev.status:
            out.append((int(r.edition), str(prev.status), str(r.status)))
        prev = r
    return out


def status_changes_text(fh: pd.DataFrame, selected: pd.DataFrame, labels: dict[str, str]) -> str:
    """Every change of status of the ``selected`` countries, as a phrase, or "none".

    ``labels`` maps a status code to the words the book uses (``{"NF": "not free", ...}``):
    ``"Kyrgyzstan from partly free to not free in the 2021 edition"``.
    """
    parts = [
        f"{name} from {labels[a]} to {labels[b]} in the {edition} edition"
        for name in selected["name"]
        for edition, a, b in status_changes(fh, name)
    ]
    return names_text(parts)


def score_on(fh: pd.DataFrame, country: str, edition: int) -> int | None:
    """``country``'s aggregate score in ``edition``, or ``None``."""
    hit = fh[(fh["country"] == country) & (fh["edition"] == edition)]
    return int(hit["total_score"].iloc[0]) if len(hit) else None


def score_range(fh: pd.DataFrame, country: str) -> tuple[int, int] | None:
    """Lowest and highest aggregate score of ``country`` over all editions, or ``None``."""
    scores = fh.loc[fh["country"] == country, "total_score"]
    return (int(scores.min()), int(scores.max())) if len(scores) else None


def edition_span(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """First and last year of ``column`` in ``frame``."""
    return int(frame[column].min()), int(frame[column].max())


# --------------------------------------------------------------------------- time series


def with_gaps(years: list[int], values: list[float], step: int | None) -> tuple[list[float], list[float]]:
    """Insert a NaN where consecutive years lie more than ``step`` apart, so a line breaks there.

    Used for the biennial E-Government Survey: if a table lacks an edition (a reader's own
    data, say), the line stops before it and starts again after it instead of drawing a
    value nobody measured.
    """
    xs: list[float] = []
    ys: list[float] = []
    for i, (x, y) in enumerate(zip(years, values)):
        if step is not None and i and x - years[i - 1] > step:
            xs.append((x + years[i - 1]) / 2)
            ys.append(math.nan)
        xs.append(x)
        ys.append(y)
    return xs, ys


def survey_ticks(years: list[int], most: int = 10) -> list[int]:
    """Tick years: only years the data hold (a survey, a round), thinned evenly to at most ``most``.

    The last year is always kept; a tick never falls on a year without data.
    """
    years = sorted(set(int(y) for y in years))
    if len(years) <= most:
        return years
    step = math.ceil(len(years) / most)
    return sorted(set(years[::-1][::step]))


def off_scale(values: dict[str, list[float]]) -> list[str]:
    """Countries whose values all lie far above (or below) every other country's, by more than
    the others' whole range: drawn on the same axis they would squeeze the others together.
    """
    out = []
    for name, own in values.items():
        own = [v for v in own if not math.isnan(v)]
        rest = [v for n, vs in values.items() if n != name for v in vs if not math.isnan(v)]
        if not own or len(rest) < 2:
            continue
        spread = max(rest) - min(rest)
        gap = max(min(own) - max(rest), min(rest) - max(own))
        if spread > 0 and gap > spread:
            out.append(name)
    return out


def series_figure(
    frame: pd.DataFrame,
    selected: pd.DataFrame,
    year: str,
    columns: list[tuple[str, str]],
    ylabel: str,
    key: str = "iso3",
    ylim: tuple[float, float] | None = None,
    step: int | None = None,
    reference: dict[str, tuple[float, str]] | None = None,
    invert: tuple[str, ...] = (),
) -> plt.Figure:
    """Line panels stacked one above the other, one per ``(column, label)``, one line per country.

    Drawn for the page's width (:data:`halfopen.theme.WIDTH`), panels stacked so that each
    keeps the whole width; countries differ in colour and marker; ticks fall only on years
    the table holds. ``invert`` names the columns whose value axis is turned upside down:
    ranks, 1 (the best) at the top.

    ``key`` is ``iso3`` or ``name`` (Freedom House names countries). A missing value
    breaks the line; with ``step``, so does a missing edition. ``reference`` maps a column
    to a horizontal line ``(value, label)`` (e.g. the OBS threshold of sufficiency). Without
    ``ylim``, a country far off the others' scale (:func:`off_scale`, e.g. Denmark's Freedom
    House score beside Central Asia's) is not drawn but written in the panel, so the others
    keep a readable scale. Selected countries without rows are named in a note under the panels.
    """
    n = len(columns)
    fig, axes = plt.subplots(
        n,
        1,
        figsize=(theme.WIDTH, 2.35 * n + (2.0 if n == 1 else 1.1)),
        squeeze=False,
        sharex=True,
        layout="constrained",
    )
    axes = axes[:, 0]
    col = "country" if key == "name" else "iso3"
    missing, parts = [], {}
    for country in selected.itertuples(index=False):
        part = frame[frame[col] == getattr(country, key)].sort_values(year)
        if part.empty:
            missing.append(country.name)
        else:
            parts[country.name] = part
    all_years = [int(y) for p in parts.values() for y in p[year]]
    drawn: set[str] = set()
    for j, (column, label) in enumerate(columns):
        ax = axes[j]
        values = {name: [float(v) if pd.notna(v) else math.nan for v in p[column]] for name, p in parts.items()}
        aside = [] if ylim is not None else off_scale(values)
        for i, country in enumerate(selected.itertuples(index=False)):
            if country.name not in parts:
                continue
            part = parts[country.name]
            years = [int(y) for y in part[year]]
            if country.name in aside:
                shown = [(y, v) for y, v in zip(years, values[country.name]) if not math.isnan(v)]
                (y0, v0), (y1, v1) = shown[0], shown[-1]
                ax.text(
                    0.01,
                    0.97,
                    f"{country.name}, off this scale: {v0:g} in {y0}, {v1:g} in {y1}",
                    transform=ax.transAxes,
                    va="top",
                    fontsize=10,
                    color="black",
                    bbox={
                        "boxstyle": "round,pad=0.25",
                        "facecolor": "white",
                        "edgecolor": theme.country_colour(country.name, i),
                    },
                )
                continue
            xs, ys = with_gaps(years, values[country.name], step)
            drawn.add(country.name)
            ax.plot(
                xs,
                ys,
                marker=theme.country_marker(country.name, i),
                markersize=6,
                color=theme.country_colour(country.name, i),
                linewidth=1.8,
                label=country.name,
            )
        ax.set_title(label, loc="left")
        if ylim is not None:
            ax.set_ylim(*ylim)
        elif aside:
            low, high = ax.get_ylim()
            ax.set_ylim(low, high + (high - low) * 0.22)  # room for the note
        if column in invert:
            ax.invert_yaxis()
        if reference and column in reference:
            value, text = reference[column]
            ax.axhline(value, color=theme.PALETTE["black"], linestyle="--", linewidth=0.9)
            ax.annotate(
                text,
                (0, value),
                xycoords=("axes fraction", "data"),
                xytext=(3, 2),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=10,
            )
        ax.set_ylabel(ylabel)
    if all_years:
        ticks = survey_ticks(all_years)
        axes[-1].set_xticks(ticks)
        axes[-1].set_xticklabels([str(y) for y in ticks])
        axes[-1].set_xlim(min(all_years) - 0.6, max(all_years) + 0.6)
    handles = [
        Line2D([], [], color=theme.country_colour(c.name, i), marker=theme.country_marker(c.name, i), label=c.name)
        for i, c in enumerate(selected.itertuples(index=False))
        if c.name in drawn
    ]
    if handles:
        fig.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 3))
    if missing:
        fig.supxlabel(f"No data in this table: {names_text(missing)}.", fontsize=10, style="italic")
    return fig


def _by_country(frame: pd.DataFrame, selected: pd.DataFrame, year: str):
    """Each selected country that has rows in ``frame``, with them indexed by ``year``. A
    country without rows has no row in the table: :func:`absent_caption` names it."""
    for country in selected.itertuples(index=False):
        part = frame[frame["iso3"] == country.iso3].set_index(year)
        if not part.empty:
            yield country, part


def absent_caption(
    caption: str, frame: pd.DataFrame, selected: pd.DataFrame, why: str = "no data in the source"
) -> str:
    """``caption`` followed by the selected countries ``frame`` has no row for, named once.

    A table leaves such a country out rather than give it a row of dashes; its caption says
    so ("… (0–100). Not in the table, no data in the source: Denmark and Uzbekistan."), so that
    nothing is dropped silently. ``caption`` is returned as it is when every country has rows.
    """
    names = missing_countries(frame, selected)
    if not names:
        return caption
    return f"{caption.rstrip('.')}. Not in the table, {why}: {names_text(names)}."


def wide_table(
    frame: pd.DataFrame,
    selected: pd.DataFrame,
    year: str,
    columns: list[tuple[str, str, str]],
) -> pd.DataFrame:
    """A country-by-measure table with one column per year, cells formatted as text.

    ``columns`` lists ``(column, label, format)``. A selected country without rows is left
    out (name it with :func:`absent_caption`); a measure the source has no value for in a
    year shows an empty cell (the table's dash).
    """
    years = sorted(int(y) for y in frame[year].unique())
    records = []
    for country, part in _by_country(frame, selected, year):
        for column, label, fmt in columns:
            rec = {"Country": country.name, "Measure": label}
            for y in years:
                if y in part.index and pd.notna(part.at[y, column]):
                    rec[str(y)] = fmt.format(part.at[y, column])
            records.append(rec)
    table = pd.DataFrame(records, columns=["Country", "Measure"] + [str(y) for y in years])
    return table.set_index(["Country", "Measure"])


def first_last_table(
    frame: pd.DataFrame,
    selected: pd.DataFrame,
    year: str,
    columns: list[tuple[str, str]],
) -> pd.DataFrame:
    """Per country and measure: the value in the table's first and last year, and the change.

    Values stay on the source's own scale (for the WGI, estimates). Countries without rows are
    left out (name them with :func:`absent_caption`).
    """
    first, last = edition_span(frame, year)
    records = []
    for country, part in _by_country(frame, selected, year):
        for column, label in columns:
            a = float(part.at[first, column]) if first in part.index else math.nan
            b = float(part.at[last, column]) if last in part.index else math.nan
            records.append({"Country": country.name, "Measure": label, str(first): a, str(last): b, "Change": b - a})
    table = pd.DataFrame(records, columns=["Country", "Measure", str(first), str(last), "Change"])
    return table.set_index(["Country", "Measure"])


# --------------------------------------------------------------------------- Open Budget Survey 2017


OBS_MEASURES = ["transparency", "participation", "oversight"]
#: How the figures name the three scores.
OBS_LABELS = {"transparency": "Transparency", "participation": "Public participation", "oversight": "Budget oversight"}


def obs_placement(obs2017: pd.DataFrame, iso3: str, measure: str) -> dict[str, float | int] | None:
    """Where ``iso3`` stands among the surveyed countries on ``measure``, or ``None``.

    ``rank`` is one plus the number of countries scoring higher (ties share a rank),
    ``lower`` the number scoring lower, ``percentile`` the share of all surveyed countries
    scoring lower (in per cent), ``n`` the number of countries surveyed.
    """
    row = obs2017[obs2017["iso3"] == iso3]
    if row.empty:
        return None
    value = float(row[measure].iloc[0])
    scores = obs2017[measure].astype(float)
    higher, lower = int((scores > value).sum()), int((scores < value).sum())
    return {
        "value": value,
        "rank": higher + 1,
        "higher": higher,
        "lower": lower,
        "n": len(obs2017),
        "percentile": 100 * lower / len(obs2017),
    }


def obs_global_means(obs2017: pd.DataFrame) -> dict[str, float]:
    """The unweighted mean of each OBS score over every surveyed country."""
    return {m: float(obs2017[m].astype(float).mean()) for m in OBS_MEASURES}


def obs_placement_table(obs2017: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Score, rank and percentile of each selected country in the 2017 round. A country the
    round did not survey is left out (name it with :func:`absent_caption`)."""
    records = []
    for country in selected.itertuples(index=False):
        for m in OBS_MEASURES:
            p = obs_placement(obs2017, country.iso3, m)
            if p is None:
                break
            rec = {"Country": country.name, "Measure": m}
            rec.update(
                {
                    "Score": p["value"],
                    "Rank": f"{p['rank']} of {p['n']}",
                    "Countries scoring lower (%)": p["percentile"],
                }
            )
            records.append(rec)
    table = pd.DataFrame(records, columns=["Country", "Measure", "Score", "Rank", "Countries scoring lower (%)"])
    return table.set_index(["Country", "Measure"])


def obs_references(bands: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """The survey's threshold of sufficiency of each OBS score, as reference lines for a figure."""
    return {m: (derive.obs_threshold(bands, m), "sufficient") for m in OBS_MEASURES}


def obs_distribution_figure(obs2017: pd.DataFrame, selected: pd.DataFrame, bands: pd.DataFrame) -> plt.Figure:
    """The 2017 scores of every surveyed country, one strip per measure, selected countries marked.

    Each dot is a country (grey); the selected countries surveyed are large dots in their
    colours; a solid line marks the global mean and a dashed one the survey's threshold of
    sufficiency. Dots are spread vertically by a fixed pattern (no randomness).
    """
    fig, axes = plt.subplots(len(OBS_MEASURES), 1, figsize=(theme.WIDTH, 6.4), sharex=True, layout="constrained")
    means = obs_global_means(obs2017)
    offsets = ((np.arange(len(obs2017)) * 7) % 11 - 5) / 14
    for ax, m in zip(axes, OBS_MEASURES):
        ax.scatter(obs2017[m], offsets, s=14, color=theme.PALETTE["grey"], alpha=0.7, linewidths=0)
        for i, country in enumerate(selected.itertuples(index=False)):
            p = obs_placement(obs2017, country.iso3, m)
            if p is None:
                continue
            ax.scatter(
                [p["value"]],
                [0],
                s=90,
                marker=theme.country_marker(country.name, i),
                color=theme.country_colour(country.name, i),
                edgecolor="black",
                zorder=3,
                label=country.name,
            )
        ax.axvline(means[m], color="black", linewidth=1.2)
        ax.axvline(derive.obs_threshold(bands, m), color="black", linewidth=0.9, linestyle="--")
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_title(OBS_LABELS.get(m, m), loc="left")
        ax.grid(axis="y", visible=False)
    axes[-1].set_xlim(-2, 102)
    axes[-1].set_xlabel("Open Budget Survey 2017 score (0–100)")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [
        Line2D([], [], color="black", linewidth=1.2),
        Line2D([], [], color="black", linewidth=0.9, linestyle="--"),
    ]
    labels += ["mean of all countries", "threshold of sufficiency"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    return fig


# --------------------------------------------------------------------------- e-participation against participation


def pair_epi_participation(
    egov: pd.DataFrame,
    obs: pd.DataFrame,
    selected: pd.DataFrame,
    start_year: int,
    end_year: int,
    max_gap: int = 2,
) -> pd.DataFrame:
    """Each OBS round's participation score beside the EPI of the nearest E-Government Survey.

    Only rounds from :data:`COMPARABLE_FROM` on, whose participation questions are the same.

    The two surveys are not published in the same years. Every OBS round in the window with a
    participation score is paired with the E-Government Survey closest in time, the earlier
    one on a tie, and only if at most ``max_gap`` years apart (otherwise the round is left
    out of the pairs, not estimated). Both values are in 0-100 points (EPI x 100).
    """
    records = []
    for country in selected.itertuples(index=False):
        e = egov[egov["iso3"] == country.iso3]
        o = obs[(obs["iso3"] == country.iso3) & obs["participation"].notna()]
        o = o[(o["round"] >= max(start_year, COMPARABLE_FROM["obs_p"])) & (o["round"] <= end_year)]
        surveys = sorted(int(s) for s in e["survey"])
        for r in o.sort_values("round").itertuples(index=False):
            if not surveys:
                break
            nearest = min(surveys, key=lambda s: (abs(s - int(r.round)), s))
            if abs(nearest - int(r.round)) > max_gap:
                continue
            epi = float(e.loc[e["survey"] == nearest, "epi"].iloc[0])
            records.append(
                {
                    "Country": country.name,
                    "OBS round": int(r.round),
                    "EGDI survey": nearest,
                    "EPI (points)": epi * 100,
                    "Participation": float(r.participation),
                }
            )
    return pd.DataFrame(records, columns=["Country", "OBS round", "EGDI survey", "EPI (points)", "Participation"])


def epi_participation_figure(pairs: pd.DataFrame, selected: pd.DataFrame) -> plt.Figure:
    """Participation offered online (EPI) against participation offered in the budget process (OBS).

    Both measure supply: what government (and, for the OBS, parliament and the audit
    office) offers, not whether anyone takes part.

    One path per country through its pairs in time order, its first and last points labelled
    with the OBS round; the diagonal marks equal points on both scales (a reference, not an equivalence).
    Selected countries without pairs are named under the plot.
    """
    fig, ax = plt.subplots(figsize=(theme.WIDTH, theme.WIDTH + 0.4), layout="constrained")
    ax.plot([0, 100], [0, 100], color=theme.PALETTE["grey"], linestyle=":", linewidth=1)
    ax.text(97, 93, "equal points", rotation=45, ha="right", va="top", fontsize=10, color="#555555")
    missing = []
    for i, country in enumerate(selected.itertuples(index=False)):
        part = pairs[pairs["Country"] == country.name].sort_values("OBS round")
        if part.empty:
            missing.append(country.name)
            continue
        colour = theme.country_colour(country.name, i)
        marker = theme.country_marker(country.name, i)
        xs, ys = part["EPI (points)"].to_numpy(), part["Participation"].to_numpy()
        ax.plot(xs, ys, color=colour, marker=marker, linestyle="none", markersize=7, label=country.name)
        for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):  # an arrow from each round to the next
            ax.annotate(
                "",
                (x1, y1),
                (x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.4, "shrinkA": 4, "shrinkB": 5},
            )
        # the first and last rounds only: enough to read the path's ends without a pile of labels
        ends = part.iloc[[0, -1]] if len(part) > 1 else part
        for k, r in enumerate(ends.itertuples(index=False)):
            ax.annotate(
                str(r[1]),
                (r[3], r[4]),
                textcoords="offset points",
                xytext=(6, -12) if k == 0 and len(ends) > 1 else (6, 5),
                fontsize=10,
                color="black",
            )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.set_xlabel("UN E-Participation Index (×100): offered online")
    ax.set_ylabel("Open Budget Survey participation (0–100): offered in the budget")
    ax.legend(loc="upper left")
    if missing:
        fig.supxlabel(f"No pairs: {names_text(missing)}.", fontsize=10, style="italic")
    return fig


# --------------------------------------------------------------------------- the chapters' sentences
#
# Each function gives the values one section of chapters 13 and 14 states in its prose, by the
# names the prose uses (``{glue:text}`fh_moves```); the chapter glues them. Every value is
# computed from the tables of the :class:`Study`, so a change of data or parameters reaches the
# prose.


def _focus_path(study: Study, key: str, fmt: str = "{:.2f}", missing: str = NO_DATA) -> str:
    focal = study.focal
    return describe_path(series_of(study.tables, key, focal["name"], focal["iso3"]), fmt, missing)


#: How the prose names each source's years, by the table and year column its measures are read from.
SPANS = (
    ("freedom_house", "edition", "Freedom House's editions of {} to {}"),
    ("obs_central_asia", "round", "the Open Budget Survey's rounds of {} to {}"),
    ("egov_survey", "survey", "the UN E-Government Survey's editions of {} to {}"),
    ("wgi", "year", "the World Bank's governance indicators for {} to {}"),
)


def source_spans(tables: dict[str, pd.DataFrame]) -> str:
    """The years each index's table covers, as a phrase (glued wherever the prose names the period)."""
    return names_text([words.format(*edition_span(tables[name], column)) for name, column, words in SPANS])


def freedom_house_moves(study: Study) -> dict[str, str]:
    """``fh_moves``: each country's aggregate score at the window's first and last edition;
    ``status_moves``: every change of status of the countries shown, in any edition (both
    chapters state these)."""
    t = study.tables
    fh = t["freedom_house"]
    fh_only = study.compared[study.compared["measure"] == "fh"]
    everyone = changes(t, study.selected, fh_only, study.start, study.end)
    words = {s: derive.status_label(s, t["freedom_status_thresholds"]).lower() for s in ("F", "PF", "NF")}
    changed = any(status_changes(fh, name) for name in study.selected["name"])
    return {
        "fh_moves": moves_text(everyone, "fh"),
        "status_moves": (
            f"Status changed too: {status_changes_text(fh, study.selected, words)}."
            if changed
            else "No country shown changed its status in any edition."
        ),
    }


def freedom_house_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's Freedom House section: the table's size and span, the focus's path, the moves."""
    fh = study.tables["freedom_house"]
    first, last = edition_span(fh, "edition")
    return {
        **freedom_house_moves(study),
        "fh_rows": len(fh),
        "fh_first": first,
        "fh_last": last,
        "focus_fh_path": _focus_path(study, "fh", "{:.0f}"),
    }


def obs_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's Open Budget Survey section: the rounds, who is missing, the focus's paths."""
    t = study.tables
    obs = t["obs_central_asia"]
    first, last = edition_span(obs, "round")
    unsurveyed = missing_countries(obs, study.selected)
    return {
        "obs_first": first,
        "obs_last": last,
        "obs_missing": (
            f"{names_text(unsurveyed)} {'is' if len(unsurveyed) == 1 else 'are'} not in it"
            if unsurveyed
            else "every country shown is in it"
        ),
        "comparator_obs": (
            f"{study.comparator_name} is {'not ' if missing_countries(obs, study.comparator) else ''}in the survey"
        ),
        "sufficient": derive.obs_threshold(t["obs_score_bands"], "transparency"),
        "focus_t_path": _focus_path(study, "obs_t", missing="not surveyed"),
        "focus_p_path": _focus_path(study, "obs_p", missing="not surveyed"),
    }


def obs_2017_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's 2017 round: how many countries, their means, the focus's scores and ranks."""
    obs17 = study.tables["obs_2017_countries"]
    means = obs_global_means(obs17)
    place = {m: obs_placement(obs17, study.focal["iso3"], m) for m in OBS_MEASURES}
    focus17 = "no scores, since it was not surveyed"
    if place["transparency"]:
        focus17 = (
            f"{derive.round_half_up(place['transparency']['value'])} for transparency "
            f"(ranked {ordinal(place['transparency']['rank'])}), "
            f"{derive.round_half_up(place['participation']['value'])} for participation "
            f"(ranked {ordinal(place['participation']['rank'])}) and "
            f"{derive.round_half_up(place['oversight']['value'])} for oversight"
        )
    return {
        "obs17_n": len(obs17),
        "mean_t": f"{means['transparency']:.2f}",
        "mean_p": f"{means['participation']:.2f}",
        "mean_t_rounded": derive.round_half_up(means["transparency"]),
        "mean_p_rounded": derive.round_half_up(means["participation"]),
        "focus17": focus17,
    }


def egov_values(study: Study) -> dict[str, str | int]:
    """Chapter 14's E-Government Survey section: the surveys, the drift of the index, the focus's rank."""
    egov = study.tables["egov_survey"]
    drift = rank_drift(egov, study.selected)
    first, last = edition_span(egov, "survey")
    return {
        "egov_surveys": names_text([str(s) for s in sorted(egov["survey"].unique())]),
        "egov_first": first,
        "egov_last": last,
        "level_rises": int((drift["level change"] > 0).sum()),
        "n_drift": len(drift),
        "drift_text": rank_drift_text(drift),
        "focus_rank_path": _focus_path(study, "egdi_rank", "{:.0f}"),
    }


def wgi_values(study: Study) -> dict[str, str | int]:
    """Chapter 14's governance-indicators section: the focus's paths and its changes in the window."""
    wgi = study.tables["wgi"]
    focus = str(study.focal["name"])
    shown = study.classes[study.classes["measure"].isin(["ge", "cc", "rl", "va", "fh"])]
    own = changes(study.tables, study.focal.to_frame().T, shown, study.start, study.end)
    va, fh = change_of(own, focus, "va"), change_of(own, focus, "fh")
    first, last = edition_span(wgi, "year")
    return {
        "wgi_first": first,
        "wgi_last": last,
        "focus_ge_path": _focus_path(study, "ge", "{:+.3f}"),
        "focus_cc_path": _focus_path(study, "cc", "{:+.3f}"),
        "focus_wgi_largest": largest_gain(own, focus, ["ge", "cc", "rl", "va"]).removeprefix("WGI ").lower(),
        "focus_va_change": signed(va, "{:+.2f}"),
        "focus_fh_change": signed(fh, "{:+.0f}"),
        "focus_rl_change": signed(change_of(own, focus, "rl"), "{:+.2f}"),
        "va_fh_direction": direction(va, fh),
    }


def direction(a: float, b: float, shown: tuple[str, str] = ("{:+.2f}", "{:+.0f}")) -> str:
    """Whether two changes went the same way, as the prose says it. A change that rounds to zero
    at the precision the prose shows it (``shown``) counts as no movement."""
    if math.isnan(a) or math.isnan(b):
        return "cannot both be measured"
    a, b = (float(fmt.format(v)) for fmt, v in zip(shown, (a, b)))
    if a * b > 0:
        return "moved the same way"
    return "moved in opposite directions" if a * b < 0 else "did not both move"
