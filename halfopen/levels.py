"""Levels beside changes (chapters 13-14): each index year by year, on its own scale, beside its own reference.

The chapters report changes (:func:`halfopen.method.changes`); a referee asked to see the levels
under them. Each level stays in its own unit beside the point it is read against, and the
comparator (Denmark) is a reference line, never subtracted: no common unit, no mean across
measures. The references are the sources' own: for WGI estimates 0, the world mean each year
by construction; for the EGDI the rank among the states surveyed (:func:`states_ranked`); for
the Open Budget Survey the global mean of the one round the data hold whole
(:data:`OBS_MEAN_ROUND`) and the threshold of sufficiency; for Freedom House the status bands
of the freedom rating (``data/freedom_status_thresholds.csv``). Every year the sources hold
is shown; the table reads the window's last year. Missing countries are named (:func:`missing`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from . import derive, method, open_budget, tables, theme, timeseries

#: The measures shown, in the figure's order; ``fh_rating`` is the freedom rating (1-7).
SHOWN = ("egdi_rank", "ge", "cc", "va", "obs_t", "obs_p", "fh_rating")
FH_RATING = "fh_rating"
#: The round of ``data/obs_2017_countries.csv``: the only OBS round whose global mean the data give.
OBS_MEAN_ROUND = 2017
#: Each scale as the figure names it, and the years between observations beyond which a line breaks.
SCALES = {
    "rank": "rank, 1 = first",
    "wgi": "estimate, world mean 0",
    "points": "score, 0–100",
    FH_RATING: "1 = most free",
}
STEP = {"rank": 2, "wgi": 1, "points": 3, FH_RATING: 1}
SOURCES = {
    "egov_survey": "the E-Government Survey",
    "wgi": "the Worldwide Governance Indicators",
    "obs_central_asia": "the Open Budget Survey",
    "freedom_house": "Freedom House",
}
#: The comparator's line: a reference, drawn apart from the countries compared with it.
COMPARATOR_STYLE = {"color": "#404040", "linestyle": "--", "linewidth": 1.6, "markersize": 5}
#: The break in a series whose questions were redesigned (:func:`_draw_break`): lighter and
#: thinner than the comparator's dashes, and without markers.
BREAK_STYLE = {"color": "#808080", "linestyle": "--", "linewidth": 1.0}
BREAK_LABEL = "questions redesigned"
#: How far equal freedom ratings are drawn apart, at most, either way (the ratings move in steps of 0.5).
FH_SHIFT = 0.12


_SOURCE = {**{k: m.table for k, m in method.MEASURES.items()}, FH_RATING: "freedom_house"}
_SCALE = {**{k: m.scale for k, m in method.MEASURES.items()}, FH_RATING: FH_RATING}


def countries(study: method.Study) -> pd.DataFrame:
    """The countries shown (``iso3``, ``name``): the selection, plus the comparator if it is not in it."""
    shown = study.selected
    if study.comparator_name not in set(shown["name"]):
        shown = pd.concat([shown, study.comparator])
    return shown.reset_index(drop=True)


def label(study: method.Study, key: str) -> str:
    """The measure's label from ``data/measure_classes.csv`` (which has no row for the freedom rating)."""
    if key == FH_RATING:
        return "Freedom House freedom rating"
    return str(study.classes.set_index("measure").at[key, "label"])


def states_ranked(year: int) -> int:
    """States the E-Government Survey ranks: 192 UN members in 2010, 193 since South Sudan joined (2011)."""
    return method.MEMBER_STATES - 1 if year < 2012 else method.MEMBER_STATES


def series(study: method.Study, key: str, name: str, iso3: str) -> pd.Series:
    """One country's values of ``key`` on the source's own scale, by year, missing values left out."""
    if key != FH_RATING:
        return method.series_of(study.tables, key, name, iso3).dropna()
    fh = study.tables["freedom_house"]
    rows = fh[fh["country"] == name]
    ratings = [derive.freedom_rating(p, c) for p, c in zip(rows["pr_rating"], rows["cl_rating"])]
    return pd.Series(ratings, index=[int(e) for e in rows["edition"]], dtype=float).sort_index()


def _band(study: method.Study, rating: float) -> tuple[str, float, float]:
    """The status (lower case) whose band holds a freedom rating, and the band's ends."""
    thresholds = study.tables["freedom_status_thresholds"]
    row = thresholds.set_index("status").loc[derive.freedom_status(rating, thresholds)]
    return str(row["label"]).lower(), float(row["rating_min"]), float(row["rating_max"])


def _obs(study: method.Study, key: str) -> tuple[float, int]:
    """The OBS measure's global mean in :data:`OBS_MEAN_ROUND` and its threshold of sufficiency."""
    column = method.MEASURES[key].column
    mean = open_budget.obs_global_means(study.tables["obs_2017_countries"])[column]
    return mean, derive.obs_threshold(study.tables["obs_score_bands"], column)


def reference(study: method.Study, key: str, year: int, value: float) -> str:
    """What one value stands against, in words (see the module docstring)."""
    scale = _SCALE[key]
    if scale == "wgi":
        return "world mean 0"
    if scale == "rank":
        return f"rank among {states_ranked(year)} states surveyed"
    if scale == FH_RATING:
        return "{} band ({:.1f}–{:.1f})".format(*_band(study, value))
    mean, threshold = _obs(study, key)
    return f"{OBS_MEAN_ROUND} global mean {mean:.2f}; sufficient from {threshold}"


def missing(study: method.Study) -> dict[str, list[str]]:
    """Per measure of :data:`SHOWN`: the countries shown that have no value of it in any year."""
    shown = list(countries(study).itertuples(index=False))
    return {key: [c.name for c in shown if series(study, key, c.name, c.iso3).empty] for key in SHOWN}


def missing_text(study: method.Study) -> str:
    """Who is missing from what, as sentences for the prose ("Denmark and ... are not in the Open Budget Survey.")."""
    gone, sentences = missing(study), []
    for source, words in SOURCES.items():
        keys = [k for k in SHOWN if _SOURCE[k] == source]
        absent = [n for n in countries(study)["name"] if all(n in gone[k] for k in keys)]
        if absent:
            sentences.append(f"{tables.join_words(absent)} {'is' if len(absent) == 1 else 'are'} not in {words}.")
        for k in keys:
            if names := [n for n in gone[k] if n not in absent]:
                verb = "has" if len(names) == 1 else "have"
                sentences.append(f"{tables.join_words(names)} {verb} no {label(study, k)} values.")
    return " ".join(sentences) or "Every country shown is in every source."


def levels(study: method.Study) -> pd.DataFrame:
    """Every value of :data:`SHOWN`, one row per country shown, measure and year, on its own scale.

    Columns ``Country``, ``measure``, ``Measure``, ``Year``, ``Value``, ``Reference``. The
    comparator's rows are like any other's: nothing is subtracted. ``frame.attrs["missing"]``
    holds :func:`missing`, so a country without rows is named, not lost.
    """
    records = [
        (c.name, key, label(study, key), year, value, reference(study, key, year, value))
        for key in SHOWN
        for c in countries(study).itertuples(index=False)
        for year, value in series(study, key, c.name, c.iso3).items()
    ]
    frame = pd.DataFrame(records, columns=["Country", "measure", "Measure", "Year", "Value", "Reference"])
    frame.attrs["missing"] = missing(study)
    return frame


def cell(study: method.Study, key: str, year: int, value: float) -> str:
    """One value in words, as the prose (:func:`level_values`) gives it: ``24th of 193``,
    ``−0.41 (below world mean)``, ``63 (2017 mean 42)``, ``6.0, not free``."""
    scale = _SCALE[key]
    if scale == "rank":
        return f"{method.ordinal(int(value))} of {states_ranked(year)}"
    if scale == "wgi":
        side = "above" if value > 0 else "below" if value < 0 else "at"
        return tables.minus(f"{value:.2f}") + f" ({side} world mean)"
    if scale == FH_RATING:
        return f"{value:.1f}, {_band(study, value)[0]}"
    return f"{derive.round_half_up(value)} ({OBS_MEAN_ROUND} mean {derive.round_half_up(_obs(study, key)[0])})"


def short_cell(study: method.Study, key: str, value: float) -> str:
    """One value as :func:`latest_levels_table` shows it, its reference left to the row's label:
    ``28th``, ``−0.27``, ``63``, ``6.0 NF`` (the status code of ``data/freedom_status_thresholds.csv``)."""
    scale = _SCALE[key]
    if scale == "rank":
        return method.ordinal(int(value))
    if scale == "wgi":
        return tables.minus(f"{value:.2f}")
    if scale == FH_RATING:
        return f"{value:.1f} {derive.freedom_status(value, study.tables['freedom_status_thresholds'])}"
    return str(derive.round_half_up(value))


def row_label(study: method.Study, key: str, year: int) -> str:
    """A row of :func:`latest_levels_table`: the measure, short, with its scale or reference and year:
    ``EGDI rank of 193, 2022``, ``Effectiveness (world mean 0), 2023``, ``Transparency (2017 mean 42;
    sufficient 61), 2023``, ``Freedom rating (1–7), 2023 edition``."""
    scale = _SCALE[key]
    short = "freedom rating" if key == FH_RATING else method.MEASURES[key].short
    name = short[:1].upper() + short[1:]  # a row label, short enough for a phone
    if scale == "rank":
        return f"{name} of {states_ranked(year)}, {year}"
    if scale == "wgi":
        return f"{name} (world mean 0), {year}"
    if scale == FH_RATING:
        bands = study.tables["freedom_status_thresholds"]
        return f"{name} ({bands['rating_min'].min():g}–{bands['rating_max'].max():g}), {year} edition"
    mean, threshold = _obs(study, key)
    return f"{name} ({OBS_MEAN_ROUND} mean {derive.round_half_up(mean)}; sufficient {threshold}), {year}"


def latest_levels_table(study: method.Study) -> pd.DataFrame:
    """Per measure (rows, in :data:`SHOWN` order) and country (columns, by ISO3 code, in
    :func:`countries` order): the level in ``study.end`` or the last year before it.

    Laid out to fit a phone: the row's label (:func:`row_label`) carries the scale, the
    reference and the year most countries' values come from (the later on a tie), so a cell is
    the value alone (:func:`short_cell`); a value from an earlier year adds it, ``24th (2020)``,
    and a rank from a survey of another number of states adds that too, ``46th of 192 (2010)``.
    A country without a value by ``study.end`` has an empty cell (NaN, shown "–");
    ``frame.attrs["missing"]`` names them per measure, and :func:`missing_text` says in words
    which countries a source lacks.
    """
    shown = countries(study)
    rows, empty = {}, {}
    for key in SHOWN:
        latest = {}
        for c in shown.itertuples(index=False):
            s = series(study, key, c.name, c.iso3)
            s = s[s.index <= study.end]
            latest[c.iso3] = (int(s.index[-1]), float(s.iloc[-1])) if len(s) else None
        years = [hit[0] for hit in latest.values() if hit]
        year = max(set(years), key=lambda y: (years.count(y), y)) if years else study.end
        row = {}
        for iso3, hit in latest.items():
            if hit is None:
                row[iso3] = float("nan")
                continue
            y, text = hit[0], short_cell(study, key, hit[1])
            if _SCALE[key] == "rank" and states_ranked(y) != states_ranked(year):
                text += f" of {states_ranked(y)}"
            row[iso3] = text + ("" if y == year else f" ({y})")
        rows[row_label(study, key, year)] = row
        empty[key] = [c.name for c in shown.itertuples(index=False) if latest[c.iso3] is None]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(shown["iso3"]), dtype=object)
    frame = frame.rename_axis(index="Measure", columns=None)
    frame.attrs["missing"] = empty
    return frame


def table_key(study: method.Study) -> str:
    """The table's columns in words, for its source line: ``DNK Denmark (reference), KAZ Kazakhstan, ...``."""
    comp = study.comparator_name
    return ", ".join(
        f"{c.iso3} {c.name}" + (" (reference)" if c.name == comp else "") for c in countries(study).itertuples()
    )


def _draw_reference(ax: plt.Axes, study: method.Study, key: str) -> None:
    """The measure's own reference point, labelled in its panel, and the panel's fixed scale."""
    scale = _SCALE[key]
    edge = {"xycoords": ("axes fraction", "data"), "textcoords": "offset points", "fontsize": 10}
    if scale == "wgi":
        ax.axhline(0, color="black", linewidth=1.0)
        ax.annotate("world mean", (0, 0), xytext=(3, 2), va="bottom", **edge)
    elif scale == "points":
        mean, threshold = _obs(study, key)
        ax.axhline(threshold, color="black", linestyle=":", linewidth=1.2)
        ax.annotate(f"sufficient from {threshold}", (0, threshold), xytext=(3, 2), va="bottom", **edge)
        ax.plot([OBS_MEAN_ROUND - 0.5, OBS_MEAN_ROUND + 0.5], [mean, mean], color="black", linewidth=4)
        # labelled from the empty top of the panel, right of the leader, which runs down beside
        # the countries' 2017 markers: the space left of it is :func:`_draw_break`'s
        arrow = {"arrowstyle": "-", "color": "black", "linewidth": 0.8, "shrinkA": 0, "shrinkB": 0, "relpos": (0, 0)}
        at, text = (OBS_MEAN_ROUND + 0.5, mean), f"{OBS_MEAN_ROUND} global mean {mean:.0f}"
        ax.annotate(text, at, xytext=(OBS_MEAN_ROUND + 0.5, 86), ha="left", fontsize=10, arrowprops=arrow)
        ax.set_ylim(0, 100)
    elif scale == FH_RATING:
        bands = study.tables["freedom_status_thresholds"]
        ends = float(bands["rating_min"].min()) - 0.4, float(bands["rating_max"].max()) + 0.4
        for band in bands.itertuples(index=False):  # ratings move in steps of 0.5: bands meet half-way
            lo = ends[0] if band.rating_min == bands["rating_min"].min() else band.rating_min - 0.25
            hi = ends[1] if band.rating_max == bands["rating_max"].max() else band.rating_max + 0.25
            ax.axhspan(lo, hi, color=theme.STATUS_COLOURS.get(band.status, "#dddddd"), alpha=0.15, linewidth=0)
            ax.annotate(band.label, (0, (lo + hi) / 2), xytext=(4, 0), va="center", **edge)
        ax.set_ylim(ends[1], ends[0])
        ax.set_yticks(range(1, 8))
    else:
        ax.set_ylim(method.MEMBER_STATES + 6, -5)
        ax.set_yticks([1, 50, 100, 150, method.MEMBER_STATES])


def _draw_break(ax: plt.Axes, key: str, years: list[int]) -> None:
    """Where the measure's series stops being comparable (:data:`halfopen.method.COMPARABLE_FROM`):
    a dashed line half-way before the first comparable year, labelled at the panel's top, left of it.

    Drawn only where the panel holds values on both sides of it."""
    since = method.COMPARABLE_FROM.get(key)
    if since is None or not (min(years, default=since) < since <= max(years, default=0)):
        return
    ax.axvline(since - 0.5, **BREAK_STYLE)
    where = {"textcoords": "offset points", "ha": "right", "va": "top", "fontsize": 10}
    ax.annotate(BREAK_LABEL, (since - 0.5, 1), xycoords=("data", "axes fraction"), xytext=(-3, -3), **where)


def _write_aside(ax: plt.Axes, comp: str, years: list[int], vals: list[float], above: bool) -> None:
    """The comparator written at the panel's edge, with its first and last values, instead of drawn."""
    text = f"{comp} (reference) {'↑ above' if above else '↓ below'} this scale: "
    text += tables.minus(f"{vals[0]:.2f} in {years[0]}, {vals[-1]:.2f} in {years[-1]}")
    box = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#404040", "linestyle": "--"}
    where = {"ha": "right", "va": "top" if above else "bottom", "fontsize": 10, "bbox": box, "transform": ax.transAxes}
    ax.text(0.99, 0.96 if above else 0.04, text, **where)


def rating_shifts(ratings: pd.DataFrame, names: list[str]) -> dict[str, float]:
    """How far each of ``names`` is drawn off its freedom ratings (rows of :func:`levels`), so
    that equal ratings do not hide each other, at most :data:`FH_SHIFT` either way.

    Two countries *tie* if they have the same rating in the same year. In the order of
    ``names``, each country takes the first of the slots 0, +1, −1, +2, −2, ... that no country
    it ties with holds; the slots are then scaled so the farthest is ±:data:`FH_SHIFT`. A country
    that ties with none stays where it is; with three slots, tied lines lie :data:`FH_SHIFT` apart.
    """
    held = {
        n: set(zip(ratings.loc[ratings["Country"] == n, "Year"], ratings.loc[ratings["Country"] == n, "Value"]))
        for n in names
    }
    order = [0] + [sign * k for k in range(1, len(names) + 1) for sign in (1, -1)]
    slots: dict[str, int] = {}
    for n in names:
        taken = {slots[m] for m in slots if held[m] & held[n]}
        slots[n] = next(k for k in order if k not in taken)
    widest = max((abs(k) for k in slots.values()), default=0)
    return {n: FH_SHIFT * k / widest if widest else 0.0 for n, k in slots.items()}


def levels_figure(study: method.Study) -> plt.Figure:
    """Small multiples of :func:`levels`: one panel per measure on its own scale, stacked, years shared.

    Countries are lines in their colours and markers, the comparator a dark grey dashed line,
    "(reference)" in the legend; each panel draws its reference point. The three WGI panels share
    one scale fitted to the other countries and the world mean 0: Denmark, near +2, would squeeze
    the Central Asian lines into a third of the panel, so where it falls outside that scale it is
    written at the panel's edge, its first and last values and its side, not drawn (as
    :func:`halfopen.timeseries.series_figure` treats a country :func:`~halfopen.timeseries.off_scale`).
    The rank (1-193), OBS scores (0-100) and freedom rating (1-7) keep their whole scale. Equal
    freedom ratings (steps of 0.5) would hide each other, so there the lines of countries that
    share a rating in some year are drawn apart, each by a constant amount of at most
    ±:data:`FH_SHIFT` (0.12 rating points, a quarter of a step; :func:`rating_shifts`), well
    inside its band (the table gives exact values), in a taller panel; the comparator and a
    country that shares no rating stay unshifted. OBS participation,
    whose questions were redesigned for the 2017 round, has a dashed line at 2016.5 marking the
    break (:func:`_draw_break`): its values before are not comparable with those after.
    """
    frame, comp, gone = levels(study), study.comparator_name, missing(study)
    shown = list(countries(study).itertuples(index=False))
    others = [c.name for c in shown if c.name != comp]
    style = {
        c.name: {"color": theme.country_colour(c.name, i), "marker": theme.country_marker(c.name, i), "linewidth": 1.8}
        | ({"markersize": 6} if c.name != comp else COMPARATOR_STYLE)
        for i, c in enumerate(shown)
    }
    ratios = [1.8 if _SCALE[k] == FH_RATING else 1 for k in SHOWN]
    size = (theme.WIDTH, 1.95 * sum(ratios) + 1)
    fig, axes = plt.subplots(len(SHOWN), 1, figsize=size, sharex=True, height_ratios=ratios, layout="constrained")
    wgi = frame[(frame["measure"].map(_SCALE) == "wgi") & (frame["Country"] != comp)]["Value"].tolist() + [0.0]
    pad = max((max(wgi) - min(wgi)) * 0.08, 0.1)
    low, high = min(wgi) - pad, max(wgi) + pad
    shifts = rating_shifts(frame[frame["measure"] == FH_RATING], others)
    for ax, key in zip(axes, SHOWN):
        scale = _SCALE[key]
        _draw_reference(ax, study, key)
        if scale == "wgi":
            ax.set_ylim(low, high)
        for c in shown:
            part = frame[(frame["measure"] == key) & (frame["Country"] == c.name)]
            years, vals = [int(y) for y in part["Year"]], [float(v) for v in part["Value"]]
            if scale == FH_RATING:
                vals = [v + shifts.get(c.name, 0.0) for v in vals]
            if c.name == comp and scale == "wgi" and vals and not low <= min(vals) <= max(vals) <= high:
                _write_aside(ax, comp, years, vals, above=max(vals) > high)
                room = 0.3 * (high - low)  # for the note
                ax.set_ylim(low, high + room) if max(vals) > high else ax.set_ylim(low - room, high)
            elif years:
                ax.plot(*timeseries.with_gaps(years, vals, STEP[scale]), label=c.name, **style[c.name])
        _draw_break(ax, key, sorted({int(y) for y in frame.loc[frame["measure"] == key, "Year"]}))
        ax.set_title(f"{label(study, key)} ({SCALES[scale]})", loc="left", fontsize=11)
        if gone[key]:
            note = f"Not in {SOURCES[_SOURCE[key]]}: {tables.join_words(gone[key])}."
            ax.set_xlabel(note, fontsize=10, style="italic")
    years = sorted({int(y) for y in frame["Year"]})
    if years:
        axes[-1].set_xticks(timeseries.survey_ticks(years), [str(y) for y in timeseries.survey_ticks(years)])
        axes[-1].set_xlim(years[0] - 0.6, years[-1] + 0.6)
    handles = [Line2D([], [], label=n, **style[n]) for n in others if n in set(frame["Country"])]
    if comp in set(frame["Country"]):
        handles.append(Line2D([], [], label=f"{comp} (reference)", **style[comp]))
    fig.legend(handles=handles, loc="outside upper center", ncol=3)
    return fig


def level_values(study: method.Study) -> dict[str, str]:
    """``focus_levels``: where the focus country stands at the end of the years described, each
    measure beside its reference point, as one sentence of the chapters' prose."""
    focus, iso3 = str(study.focal["name"]), str(study.focal["iso3"])

    def at_end(key: str) -> tuple[int, float] | None:
        s = series(study, key, focus, iso3)
        s = s[s.index <= study.end]
        return (int(s.index[-1]), float(s.iloc[-1])) if len(s) else None

    parts = []
    if hit := at_end("egdi_rank"):
        parts.append(f"ranked {cell(study, 'egdi_rank', *hit)} states on the E-Government Survey in {hit[0]}")
    wgi = [(key, hit) for key in ("ge", "cc", "va") if (hit := at_end(key))]
    if wgi:
        year = max(h[0] for _, h in wgi)
        said = [f"{label(study, k).removeprefix('WGI ')} {cell(study, k, *h)}" for k, h in wgi]
        parts.append(f"had WGI estimates, in {year}, of {tables.join_words(said)}")
    obs = [(key, hit) for key in ("obs_t", "obs_p") if (hit := at_end(key))]
    if obs:
        said = [f"{label(study, k).removeprefix('OBS ')} {cell(study, k, *h)}" for k, h in obs]
        parts.append(f"scored, in the {obs[-1][1][0]} Open Budget Survey, {tables.join_words(said)}")
    if hit := at_end(FH_RATING):
        parts.append(f"had a Freedom House freedom rating of {cell(study, FH_RATING, *hit)}, in the {hit[0]} edition")
    if not parts:
        return {"focus_levels": f"No source holds a value for {focus} by {study.end}."}
    return {"focus_levels": f"At the end of the years described, {focus} {tables.join_words(parts)}."}
