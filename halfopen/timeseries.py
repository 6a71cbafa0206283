"""Every source's values over time, for the update (chapters 13 and 14): a country-by-year
table, the first and last value, and a line figure per measure.

A named country that a table lacks is never dropped silently: the table leaves out its row and
its caption names it (:func:`absent_caption`); a figure names it under the plot.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from . import tables, theme
from .method import missing_countries


def edition_span(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """First and last year of ``column`` in ``frame``."""
    return int(frame[column].min()), int(frame[column].max())


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
        fig.supxlabel(f"No data in this table: {tables.join_words(missing)}.", fontsize=10, style="italic")
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
    return f"{caption.rstrip('.')}. Not in the table, {why}: {tables.join_words(names)}."


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
