"""The paper's "half-open" thesis against the public indices, 2010-2025 (the update chapter).

The paper had one year of data. This module puts four composite indices side by side over
time for the countries of Table 1: Freedom House (*Freedom in the World*), the Open Budget
Survey (OBS), the UN E-Government Development Index (EGDI) and the World Bank's Worldwide
Governance Indicators (WGI). Every function takes the validated tables of
:func:`halfopen.data.load` and a selection of countries, so that adding a country's rows to
the tables and naming it in a chapter parameter is enough to show it. A named country that a
table lacks is kept and shown as missing ("no data"), never dropped silently.

The chapter's main figure, the *half-open signature*, compares the change of "technocratic"
measures (EGDI, its online-services component OSI, WGI government effectiveness, OBS
transparency) with the change of "political" ones (Freedom House aggregate score, WGI voice
and accountability, OBS participation) between two years. To make the changes comparable,
every measure is put on a 0-100 scale first (see :func:`to_points`):

- Freedom House aggregate score and OBS scores are already 0-100 points;
- EGDI and its components (0-1) are multiplied by 100;
- WGI estimates, which lie roughly between -2.5 and 2.5, are mapped linearly from that range
  onto 0-100, so one point of WGI estimate is 20 points.

A change of 10 points therefore means a tenth of each index's own range. This makes the bars
readable side by side; it does not make the indices measure the same thing, and EGDI and WGI
are relative measures (normalised across the countries of each edition), so their changes
also reflect other countries' movements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from . import derive, theme

#: The nominal range of WGI estimates, mapped onto 0-100 points.
WGI_RANGE = (-2.5, 2.5)

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


@dataclass(frozen=True)
class Measure:
    """One indicator of one table, and how it becomes 0-100 points."""

    key: str
    label: str
    group: str  # "technocratic" or "political"
    table: str  # name of the table in data/
    column: str
    year: str  # the table's year column
    scale: str  # "points" (0-100), "unit" (0-1) or "wgi" (about -2.5..2.5)


#: The measures of the half-open signature, technocratic first, in the figure's order.
SIGNATURE = [
    Measure("egdi", "EGDI", "technocratic", "egov_survey", "egdi", "survey", "unit"),
    Measure("osi", "EGDI online services (OSI)", "technocratic", "egov_survey", "osi", "survey", "unit"),
    Measure("ge", "WGI government effectiveness", "technocratic", "wgi", "ge", "year", "wgi"),
    Measure("obs_t", "OBS transparency", "technocratic", "obs_central_asia", "transparency", "round", "points"),
    Measure("fh", "Freedom House score", "political", "freedom_house", "total_score", "edition", "points"),
    Measure("va", "WGI voice and accountability", "political", "wgi", "va", "year", "wgi"),
    Measure("obs_p", "OBS participation", "political", "obs_central_asia", "participation", "round", "points"),
]

GROUP_COLOURS = {"technocratic": theme.PALETTE["blue"], "political": theme.PALETTE["vermillion"]}


def to_points(value: float | pd.Series, scale: str) -> float | pd.Series:
    """A value on its index's own scale as 0-100 points (see the module docstring)."""
    if scale == "points":
        return value
    if scale == "unit":
        return value * 100
    if scale == "wgi":
        lo, hi = WGI_RANGE
        return (value - lo) / (hi - lo) * 100
    raise ValueError(f"unknown scale {scale!r}")


def _rows_of(frame: pd.DataFrame, table: str, country: pd.Series | tuple) -> pd.DataFrame:
    """The rows of ``frame`` for one selected country (by name for Freedom House, else ISO)."""
    if table == "freedom_house":
        return frame[frame["country"] == country.name]
    return frame[frame["iso3"] == country.iso3]


def endpoints(years: list[int], start_year: int, end_year: int) -> tuple[int, int] | None:
    """The first and last of ``years`` within ``[start_year, end_year]``, or ``None``.

    Indices are published in different years (Freedom House yearly from the 2017 edition in
    our table, EGDI every two years without 2020, OBS every two to three years), so each
    measure is compared between its own first and last observation inside the window. Fewer
    than two observations give ``None``: no change can be measured.
    """
    inside = sorted(y for y in years if start_year <= y <= end_year)
    if len(inside) < 2:
        return None
    return inside[0], inside[-1]


def changes(
    tables: dict[str, pd.DataFrame],
    selected: pd.DataFrame,
    start_year: int,
    end_year: int,
    measures: list[Measure] | None = None,
) -> pd.DataFrame:
    """Change of every signature measure for every selected country, in 0-100 points.

    One row per country and measure (in selection and measure order) with the group, the
    years compared (``from``, ``to``), the values in points at both ends and their change.
    Where a table has no value for the country, or fewer than two inside the window, the
    values are missing (NaN) and ``note`` says why; the row is kept.
    """
    out = []
    for country in selected.itertuples(index=False):
        for m in measures or SIGNATURE:
            rows = _rows_of(tables[m.table], m.table, country)
            rows = rows[rows[m.column].notna()]
            ends = endpoints([int(y) for y in rows[m.year]], start_year, end_year)
            rec = {"Country": country.name, "Measure": m.label, "group": m.group, "from": pd.NA, "to": pd.NA}
            rec.update({"start": math.nan, "end": math.nan, "change": math.nan, "note": ""})
            if rows.empty:
                rec["note"] = NO_DATA
            elif ends is None:
                rec["note"] = f"fewer than two observations in {start_year}-{end_year}"
            else:
                by_year = rows.set_index(m.year)[m.column]
                first = float(to_points(float(by_year[ends[0]]), m.scale))
                last = float(to_points(float(by_year[ends[1]]), m.scale))
                rec.update({"from": ends[0], "to": ends[1], "start": first, "end": last, "change": last - first})
            out.append(rec)
    frame = pd.DataFrame(out)
    frame["from"] = frame["from"].astype("Int64")
    frame["to"] = frame["to"].astype("Int64")
    return frame


def group_means(change_table: pd.DataFrame) -> pd.DataFrame:
    """Per country, the mean change of the technocratic and of the political measures.

    A plain average of the changes that exist, in points: a summary of the signature figure,
    not a new index. Countries with no measurable change in a group get NaN there.
    """
    means = change_table.groupby(["Country", "group"], sort=False)["change"].mean().unstack("group")
    means = means.reindex(columns=["technocratic", "political"])
    means["gap"] = means["technocratic"] - means["political"]
    return means.reindex(pd.unique(change_table["Country"]))


def signature_table(change_table: pd.DataFrame) -> pd.DataFrame:
    """The changes as the chapter's table shows them: text cells, years and notes."""
    shown = change_table.copy()
    shown["Kind"] = shown["group"]
    shown["Years"] = [f"{a}–{b}" if pd.notna(a) else n for a, b, n in zip(shown["from"], shown["to"], shown["note"])]
    shown = shown.rename(columns={"start": "From (points)", "end": "To (points)", "change": "Change (points)"})
    return shown.set_index(["Country", "Measure"])[["Kind", "Years", "From (points)", "To (points)", "Change (points)"]]


def signature_figure(change_table: pd.DataFrame, start_year: int, end_year: int) -> plt.Figure:
    """Small multiples, one per country: bars of each measure's change in 0-100 points.

    Technocratic measures in blue above, political ones in vermillion below; each bar is
    labelled with its change and the years compared; a missing measure reads "no data".
    """
    names = list(pd.unique(change_table["Country"]))
    ncols = min(3, len(names))
    nrows = math.ceil(len(names) / ncols)
    # at least 7.8 inches wide, so the legend's title fits when one or two countries are shown
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(max(7.8, 4.1 * ncols + 1.6), 3.0 * nrows + 1.0),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    finite = change_table["change"].dropna()
    reach = max(10.0, float(finite.abs().max()) if len(finite) else 10.0)
    limit = math.ceil(reach * 1.9 / 10) * 10
    labels = [m.label for m in SIGNATURE]
    for i, name in enumerate(names):
        ax = axes[i // ncols][i % ncols]
        part = change_table[change_table["Country"] == name].set_index("Measure").reindex(labels)
        ys = np.arange(len(labels))[::-1]
        for y, (_label, row) in zip(ys, part.iterrows()):
            if pd.isna(row["change"]):
                ax.text(
                    0,
                    y,
                    " " + (row["note"] if row["note"] == NO_DATA else "n/a"),
                    va="center",
                    fontsize=8.5,
                    color=theme.PALETTE["grey"],
                    style="italic",
                )
                continue
            ax.barh(y, row["change"], color=GROUP_COLOURS[row["group"]], edgecolor="black", linewidth=0.5, height=0.7)
            side = 1 if row["change"] >= 0 else -1
            text = f"{row['change']:+.1f} ({str(row['from'])[2:]}–{str(row['to'])[2:]})"
            ax.text(
                row["change"] + side * limit * 0.03,
                y,
                text,
                va="center",
                ha="left" if side > 0 else "right",
                fontsize=8,
            )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.axhline(len(labels) - 4 - 0.5, color=theme.PALETTE["grey"], linewidth=0.6, linestyle=":")
        ax.set_yticks(ys)
        ax.set_yticklabels(labels if i % ncols == 0 else [], fontsize=9)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.set_title(name)
        ax.grid(axis="y", visible=False)
    for j in range(len(names), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("Change (points on a 0–100 scale)")
    handles = [
        Line2D([], [], marker="s", linestyle="", markersize=10, markerfacecolor=c, markeredgecolor="black", label=g)
        for g, c in GROUP_COLOURS.items()
    ]
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=2,
        title=f"The half-open signature: change between {start_year} and {end_year}",
        title_fontproperties={"weight": "bold", "size": 13},
    )
    return fig


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


def _with_gaps(years: list[int], values: list[float], step: int | None) -> tuple[list[float], list[float]]:
    """Insert a NaN where consecutive years lie more than ``step`` apart, so a line breaks there.

    Used for the biennial E-Government Survey, which has no 2020 edition: the line stops at
    2018 and starts again at 2022 instead of drawing a value nobody measured.
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


def series_figure(
    frame: pd.DataFrame,
    selected: pd.DataFrame,
    year: str,
    columns: list[tuple[str, str]],
    title: str,
    ylabel: str,
    key: str = "iso3",
    ylim: tuple[float, float] | None = None,
    step: int | None = None,
    reference: dict[str, tuple[float, str]] | None = None,
) -> plt.Figure:
    """Line panels, one per ``(column, label)``, one line per selected country over ``year``.

    ``key`` is ``iso3`` or ``name`` (Freedom House names countries). A missing value
    breaks the line; with ``step``, so does a missing edition. ``reference`` maps a column
    to a horizontal line ``(value, label)`` (e.g. the OBS threshold of sufficiency).
    Selected countries without rows are named in a note under the panels.
    """
    n = len(columns)
    ncols = min(n, 2 if n == 4 else 3)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.3 * ncols, 3.2 * nrows + 0.9), squeeze=False, sharex=True, layout="constrained"
    )
    col = "country" if key == "name" else "iso3"
    missing = []
    for i, country in enumerate(selected.itertuples(index=False)):
        part = frame[frame[col] == getattr(country, key)].sort_values(year)
        if part.empty:
            missing.append(country.name)
            continue
        colour = theme.country_colour(country.name, i)
        for j, (column, _label) in enumerate(columns):
            ax = axes[j // ncols][j % ncols]
            years = [int(y) for y in part[year]]
            values = [float(v) if pd.notna(v) else math.nan for v in part[column]]
            xs, ys = _with_gaps(years, values, step)
            ax.plot(xs, ys, marker="o", markersize=4, color=colour, linewidth=1.8, label=country.name)
    for j, (column, label) in enumerate(columns):
        ax = axes[j // ncols][j % ncols]
        ax.set_title(label)
        if ylim is not None:
            ax.set_ylim(*ylim)
        if reference and column in reference:
            value, text = reference[column]
            ax.axhline(value, color=theme.PALETTE["black"], linestyle="--", linewidth=0.9)
            ax.text(ax.get_xlim()[0], value, " " + text, va="bottom", fontsize=8)
        if j % ncols == 0:
            ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, nbins=6))
    for j in range(n, nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    handles = [
        Line2D([], [], color=theme.country_colour(c.name, i), marker="o", label=c.name)
        for i, c in enumerate(selected.itertuples(index=False))
        if c.name not in missing
    ]
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=max(1, min(len(handles), 6 if ncols >= 3 else 3)),
        title=title,
        title_fontproperties={"weight": "bold", "size": 13},
    )
    if missing:
        fig.supxlabel(f"No data in this table: {names_text(missing)}.", fontsize=9, style="italic")
    return fig


def _by_country(frame: pd.DataFrame, selected: pd.DataFrame, year: str, records: list[dict]):
    """Each selected country with its rows of ``frame`` indexed by ``year``. A country with no
    rows is not skipped: it gets one "no data" record in ``records`` and is not yielded."""
    for country in selected.itertuples(index=False):
        part = frame[frame["iso3"] == country.iso3].set_index(year)
        if part.empty:
            records.append({"Country": country.name, "Measure": NO_DATA})
        else:
            yield country, part


def wide_table(
    frame: pd.DataFrame,
    selected: pd.DataFrame,
    year: str,
    columns: list[tuple[str, str, str]],
) -> pd.DataFrame:
    """A country-by-measure table with one column per year, cells formatted as text.

    ``columns`` lists ``(column, label, format)``. A selected country without rows gets one
    row reading "no data" with empty cells; a measure the source has no value for in a year
    shows an empty cell (the table's dash).
    """
    years = sorted(int(y) for y in frame[year].unique())
    records = []
    for country, part in _by_country(frame, selected, year, records):
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

    Values stay on the source's own scale (for the WGI, estimates). Countries without rows
    keep one "no data" row.
    """
    first, last = edition_span(frame, year)
    records = []
    for country, part in _by_country(frame, selected, year, records):
        for column, label in columns:
            a = float(part.at[first, column]) if first in part.index else math.nan
            b = float(part.at[last, column]) if last in part.index else math.nan
            records.append({"Country": country.name, "Measure": label, str(first): a, str(last): b, "Change": b - a})
    table = pd.DataFrame(records, columns=["Country", "Measure", str(first), str(last), "Change"])
    return table.set_index(["Country", "Measure"])


# --------------------------------------------------------------------------- Open Budget Survey 2017


OBS_MEASURES = ["transparency", "participation", "oversight"]


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
    """Score, rank and percentile of each selected country in the 2017 round ("not surveyed" kept)."""
    records = []
    for country in selected.itertuples(index=False):
        for m in OBS_MEASURES:
            p = obs_placement(obs2017, country.iso3, m)
            rec = {"Country": country.name, "Measure": m}
            if p is None:
                rec["Measure"] = "not surveyed"
                records.append(rec)
                break
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
    fig, axes = plt.subplots(len(OBS_MEASURES), 1, figsize=(8.2, 5.6), sharex=True, layout="constrained")
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
                color=theme.country_colour(country.name, i),
                edgecolor="black",
                zorder=3,
                label=country.name,
            )
        ax.axvline(means[m], color="black", linewidth=1.2)
        ax.axvline(derive.obs_threshold(bands, m), color="black", linewidth=0.9, linestyle="--")
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_ylabel(m, rotation=0, ha="right", va="center")
        ax.grid(axis="y", visible=False)
    axes[-1].set_xlim(-2, 102)
    axes[-1].set_xlabel("Open Budget Survey 2017 score (0–100)")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [
        Line2D([], [], color="black", linewidth=1.2),
        Line2D([], [], color="black", linewidth=0.9, linestyle="--"),
    ]
    labels += ["mean of all countries", "threshold of sufficiency"]
    fig.legend(
        handles,
        labels,
        loc="outside upper center",
        ncol=min(len(labels), 5),
        fontsize=9,
        title=f"Open Budget Survey 2017: {len(obs2017)} countries",
        title_fontproperties={"weight": "bold", "size": 13},
    )
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

    The two surveys are not published in the same years. Every OBS round in the window with a
    participation score is paired with the E-Government Survey closest in time, the earlier
    one on a tie, and only if at most ``max_gap`` years apart (otherwise the round is left
    out of the pairs, not estimated). Both values are in 0-100 points (EPI x 100).
    """
    records = []
    for country in selected.itertuples(index=False):
        e = egov[egov["iso3"] == country.iso3]
        o = obs[(obs["iso3"] == country.iso3) & obs["participation"].notna()]
        o = o[(o["round"] >= start_year) & (o["round"] <= end_year)]
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
    """Portals that exist (EPI) against participation that happens (OBS participation).

    One path per country through its pairs in time order, each point labelled with the OBS
    round; the diagonal marks equal points on both scales (a reference, not an equivalence).
    Selected countries without pairs are named under the plot.
    """
    fig, ax = plt.subplots(figsize=(6.2, 6.0), layout="constrained")  # square axes, little white space
    ax.plot([0, 100], [0, 100], color=theme.PALETTE["grey"], linestyle=":", linewidth=1)
    ax.text(97, 93, "equal points", rotation=45, ha="right", va="top", fontsize=8, color=theme.PALETTE["grey"])
    missing = []
    for i, country in enumerate(selected.itertuples(index=False)):
        part = pairs[pairs["Country"] == country.name].sort_values("OBS round")
        if part.empty:
            missing.append(country.name)
            continue
        colour = theme.country_colour(country.name, i)
        ax.plot(
            part["EPI (points)"], part["Participation"], color=colour, marker="o", linewidth=1.4, label=country.name
        )
        for r in part.itertuples(index=False):
            ax.annotate(str(r[1]), (r[3], r[4]), textcoords="offset points", xytext=(5, 4), fontsize=7.5, color=colour)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.set_xlabel("UN E-Participation Index (×100)")
    ax.set_ylabel("Open Budget Survey: public participation (0–100)")
    ax.set_title("Portals that exist against participation that happens")
    ax.legend(loc="upper left")
    if missing:
        fig.supxlabel(f"No pairs: {names_text(missing)}.", fontsize=9, style="italic")
    return fig
