"""Every defensible specification of the update's comparison: a multiverse (chapter 15).

Chapters 13 and 14 describe each index on its own scale. Whether the indices show the pattern
the paper's thesis leads one to expect turns on choices that no single specification settles:
the years compared, the size of change that counts as a change, whether a comparator's change
is subtracted, how an ambiguous measure is classed, and which measures enter. Following
specification-curve and multiverse analysis (Simonsohn, Simmons & Nelson 2020; Steegen,
Tuerlinckx, Gelman & Vanpaemel 2016), this module computes the verdict for each country
under every combination of the choices below and states only what holds across them.

**The verdict rule.** In one specification, a measure *rose* in a country when its change
between the country's first and last observation in the window, in the measure's own units
(with the comparator's change subtracted where the specification says so), is larger than
the specification's delta for that scale. The pattern appears when more than half of the
country's technocratic measures rose and more than half of its political measures did not.
A country with no technocratic or no political measure in a specification is not counted in
it. The verdict is a count of measures; nothing is averaged across scales.

**The choices** (:class:`Grid` crosses them):

- *window*: every pair of years the compared measures' sources hold, at least
  :data:`MIN_YEARS` apart (narrowed by the chapters' ``start_year`` and ``end_year``). A
  measure enters a window when it has two observations inside it, the first and last within
  :data:`EDGE_GAP` years of the window's ends, so that every measure of one specification
  covers nearly the same years; Open Budget participation only from 2017
  (:data:`COMPARABLE_FROM`).
- *delta*: :data:`DELTAS`, about 1 % and 5 % of each scale's range, in its own units.
- *comparator*: its change subtracted or not, only for measures on an absolute scale
  (:data:`RELATIVE_SCALES` are already relative); where the comparator has no value the
  measure drops out of that specification.
- *reading*: every measure in its main class, or one ambiguous measure (one with an
  ``alternative`` in ``data/measure_classes.csv``) in its other reading.
- *measures*: all compared measures, or each left out in turn.

Two combinations that leave the same measures, in the same classes, with the same baseline,
over the same window and delta, are one specification and are counted once (toggling the
class of a measure left out changes nothing, for instance).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

import pandas as pd

from . import method, sentences, tables

#: The shortest window, in years between its first and last year.
MIN_YEARS = 4
#: A measure's first and last observation in a window lie at most this many years inside its ends:
#: the E-Government Survey is biennial and the Open Budget Survey's rounds two to three years apart.
EDGE_GAP = 2
#: The first year from which a measure's values can be compared (the Open Budget Survey's 2017 redesign).
COMPARABLE_FROM = method.COMPARABLE_FROM
#: Scales that are already relative to the other countries each year: a rank, and the WGI's
#: estimates (standardised across countries each year). No comparator's change is subtracted.
RELATIVE_SCALES = {"rank", "wgi"}
#: The change that counts as a change, per scale, in its own units: about 1 % and 5 % of the
#: scale's range (a rank among 193 states: 2 and 10 places; a WGI estimate, nominally -2.5 to
#: 2.5: 0.05 and 0.25; a 0-100 score: 1 and 5 points). The text of chapter 15 gives the reasons.
DELTAS = {
    "small": {"rank": 2, "wgi": 0.05, "points": 1},
    "large": {"rank": 10, "wgi": 0.25, "points": 5},
}
#: Each scale's unit, as the chapter names it.
UNITS = {"rank": "places", "wgi": "of an estimate", "points": "points"}
#: The two comparator options.
COMPARATOR_OPTIONS = (False, True)

CLASSES = method.CLASSES


@dataclass(frozen=True)
class Spec:
    """One combination of the choices (see the module docstring)."""

    start: int
    end: int
    delta: str  #: a key of :data:`DELTAS`
    comparator: bool  #: the comparator's change subtracted from the absolute measures
    reading: str  #: "main", or the measure read in its other class
    left_out: str  #: "" (none) or the measure left out


# --------------------------------------------------------------------------- the choices


def compared(classes: pd.DataFrame) -> pd.DataFrame:
    """The measures compared (role ``compared`` in ``data/measure_classes.csv``), in table order."""
    return method.classification(classes, "compared")


def reading_options(classes: pd.DataFrame) -> list[str]:
    """``"main"`` and each compared measure the paper reads both ways (it has an alternative)."""
    rows = compared(classes)
    both = [r["measure"] for r in rows.to_dict("records") if isinstance(r["alternative"], str) and r["alternative"]]
    return ["main", *both]


def set_options(classes: pd.DataFrame) -> list[str]:
    """``""`` (every compared measure) and each compared measure, to be left out in turn."""
    return ["", *compared(classes)["measure"]]


def class_of(row: dict, reading: str) -> str:
    """The class of one classification row when ``reading`` is "main" or names the measure toggled."""
    if reading == row["measure"]:
        return row["alternative"]
    return row["class"]


def span(years: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The first and last of ``years`` inside ``[start, end]``, if both lie within :data:`EDGE_GAP` of its ends."""
    ends = method.endpoints(years, start, end)
    if ends is None or ends[0] - start > EDGE_GAP or end - ends[1] > EDGE_GAP:
        return None
    return ends


def windows(
    tables: dict[str, pd.DataFrame],
    keys: list[str],
    start_year: int | None = None,
    end_year: int | None = None,
) -> list[tuple[int, int]]:
    """Every window of the grid: pairs of years any measure of ``keys`` holds, at least
    :data:`MIN_YEARS` apart, inside ``[start_year, end_year]`` where those are given.

    A window in which no measure has a usable span is still listed; :func:`specifications`
    leaves out the specifications it cannot count.
    """
    years = sorted({y for k in keys for y in method.measure_years(tables, k)})
    years = [y for y in years if (start_year is None or y >= start_year) and (end_year is None or y <= end_year)]
    return [(a, b) for a, b in itertools.combinations(years, 2) if b - a >= MIN_YEARS]


# --------------------------------------------------------------------------- the grid


def _series(tables: dict[str, pd.DataFrame], key: str, name: str, iso3: str) -> dict[int, float]:
    s = method.series_of(tables, key, name, iso3).dropna()
    return {int(y): float(v) for y, v in s.items()}


def gain(values: dict[int, float], a: int, b: int, scale: str) -> float:
    """The change from year ``a`` to ``b`` in the scale's own units, positive for the better:
    places gained for a rank (1 is first), the difference of the values otherwise."""
    if a not in values or b not in values:
        return math.nan
    return values[a] - values[b] if scale == "rank" else values[b] - values[a]


class Grid:
    """The specifications of one study and the verdict of each, per country.

    ``specs`` lists the specifications counted (the choices crossed, less the stated exclusions); ``verdicts`` has one
    row per specification and country (:meth:`verdicts`).
    """

    def __init__(self, study: method.Study, start_year: int | None = None, end_year: int | None = None):
        self.study = study
        self.classes = compared(study.classes)
        self.labels = dict(zip(study.classes["measure"], study.classes["label"]))
        self.rows = self.classes.to_dict("records")
        self.keys = list(self.classes["measure"])
        self.windows = windows(study.tables, self.keys, start_year, end_year)
        t = study.tables
        comp = study.comparator.iloc[0]
        self.comparator_name = str(comp["name"])
        self.countries = [c for c in study.selected.itertuples(index=False) if c.name != self.comparator_name]
        self.values = {(c.name, k): _series(t, k, c.name, c.iso3) for c in self.countries for k in self.keys}
        self.comp_values = {k: _series(t, k, comp["name"], comp["iso3"]) for k in self.keys}
        self.source_years = {k: method.usable_years(method.measure_years(t, k), k) for k in self.keys}
        self.present = {(k, w): span(self.source_years[k], *w) is not None for k in self.keys for w in self.windows}
        self.specs = self._specifications()
        if not self.specs:
            asked = f"start_year={start_year}, end_year={end_year}"
            held = sorted({y for k in self.keys for y in self.source_years[k]})
            raise ValueError(
                f"{asked} leaves no specification to count: no window of at least {MIN_YEARS} years in it has "
                "a technocratic and a political measure with two observations near both its ends; the sources "
                f"hold the years {tables.join_words([str(y) for y in held])}"
            )

    def scale(self, key: str) -> str:
        return method.MEASURES[key].scale

    def baseline(self, key: str, comparator: bool) -> str | None:
        """``"own"`` or ``"comparator"`` for measure ``key``, or None if it drops out (no comparator value)."""
        if not comparator or self.scale(key) in RELATIVE_SCALES:
            return "own"
        return "comparator" if self.comp_values[key] else None

    def effective(self, spec: Spec) -> tuple[tuple[str, str, str], ...]:
        """The measures a specification really uses: ``(measure, class, baseline)``, in table order."""
        out = []
        for row in self.rows:
            key = row["measure"]
            cls = class_of(row, spec.reading)
            base = self.baseline(key, spec.comparator)
            if (
                key == spec.left_out
                or cls not in CLASSES
                or base is None
                or not self.present[(key, (spec.start, spec.end))]
            ):
                continue
            out.append((key, cls, base))
        return tuple(out)

    def _specifications(self) -> list[Spec]:
        seen: set = set()
        specs = []
        for (start, end), delta, comparator, reading, left_out in itertools.product(
            self.windows, DELTAS, COMPARATOR_OPTIONS, reading_options(self.classes), set_options(self.classes)
        ):
            spec = Spec(start, end, delta, comparator, reading, left_out)
            used = self.effective(spec)
            if not {c for _, c, _ in used} >= set(CLASSES):
                continue
            identity = (start, end, delta, used)
            if identity in seen:
                continue
            seen.add(identity)
            specs.append(spec)
        return specs

    def change(self, country: str, key: str, spec: Spec, base: str) -> tuple[float, int | None, int | None]:
        """One country's change of one measure under ``spec`` (own units; NaN if it has none)."""
        values = self.values[(country, key)]
        ends = span(method.usable_years(sorted(values), key), spec.start, spec.end)
        if ends is None:
            return math.nan, None, None
        own = gain(values, *ends, self.scale(key))
        if base == "comparator":
            own -= gain(self.comp_values[key], *ends, self.scale(key))
        return own, ends[0], ends[1]

    def verdicts(self) -> pd.DataFrame:
        """One row per specification and country: how many of its measures on each side rose,
        whether it is counted, and whether the pattern appears (see the module docstring)."""
        records = []
        cache: dict = {}
        for i, spec in enumerate(self.specs):
            used = self.effective(spec)
            fields = asdict(spec)
            for c in self.countries:
                rose = {cls: [] for cls in CLASSES}
                for key, cls, base in used:
                    hit = cache.get((c.name, key, spec.start, spec.end, base))
                    if hit is None:
                        hit = cache[(c.name, key, spec.start, spec.end, base)] = self.change(c.name, key, spec, base)[0]
                    if not math.isnan(hit):
                        rose[cls].append(hit > DELTAS[spec.delta][self.scale(key)])
                tech, pol = rose["technocratic"], rose["political"]
                counted = bool(tech) and bool(pol)
                records.append(
                    {
                        "spec": i,
                        **fields,
                        "Country": c.name,
                        "technocratic": len(tech),
                        "technocratic_rose": sum(tech),
                        "political": len(pol),
                        "political_rose": sum(pol),
                        "counted": counted,
                        "pattern": counted and sum(tech) * 2 > len(tech) and sum(pol) * 2 < len(pol),
                    }
                )
        return pd.DataFrame(records)


# --------------------------------------------------------------------------- summaries


def shares(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Per country: specifications counted, those in which the pattern appears, and their share (%)."""
    counted = verdicts[verdicts["counted"]]
    table = counted.groupby("Country", sort=False).agg(counted=("pattern", "size"), pattern=("pattern", "sum"))
    table = table.reindex(pd.unique(verdicts["Country"])).fillna(0).astype(int)
    table["share"] = [100 * p / n if n else math.nan for p, n in zip(table["pattern"], table["counted"])]
    return table


#: Each choice: its title, and how the prose names it.
DIMENSIONS = {
    "start": ("Window starts", "the window's first year"),
    "end": ("Window ends", "the window's last year"),
    "delta": ("Change that counts", "the size of change that counts"),
    "comparator": ("Baseline (0–100 scores)", "the baseline"),
    "reading": ("Classes", "how the ambiguous measures are classed"),
    "left_out": ("Measures", "which measures enter"),
}


def option_text(dimension: str, value, labels: dict[str, str], comparator: str = "the comparator") -> str:
    """One option of a choice, short enough for a phone's row (a measure by its short name; ``labels``
    name any measure :data:`halfopen.method.MEASURES` does not know)."""
    known = isinstance(value, str) and value in method.MEASURES
    name = method.MEASURES[value].short if known else labels.get(value, value) if isinstance(value, str) else ""
    if dimension == "start":
        return f"from {value}"
    if dimension == "end":
        return f"to {value}"
    if dimension == "delta":
        return f"{value} delta"
    if dimension == "comparator":
        return f"minus {comparator}" if value else "own change"
    if dimension == "reading":
        return "main classes" if value == "main" else f"{name}: other reading"
    return f"without {name}" if value else "all measures"


def by_choice(verdicts: pd.DataFrame, labels: dict[str, str], comparator: str = "the comparator") -> pd.DataFrame:
    """Share (%) of counted specifications showing the pattern, per option of each choice and country.

    Indexed by the choice's title and the option; where a country's share moves from one
    option to another, that choice is where its verdict turns.
    """
    counted = verdicts[verdicts["counted"]]
    order = list(pd.unique(verdicts["Country"]))
    rows = []
    for dim, (title, _) in DIMENSIONS.items():
        for value, part in counted.groupby(dim, sort=True):
            share = part.groupby("Country", sort=False)["pattern"].mean().reindex(order) * 100
            rows.append({"Choice": title, "Option": option_text(dim, value, labels, comparator), **share.to_dict()})
    return pd.DataFrame(rows).set_index(["Choice", "Option"])


def by_choice_table(verdicts: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """:func:`by_choice` as the chapter shows it on a phone: one row per option (each says its
    choice), one column per country by its ISO code."""
    codes = {c.name: c.iso3 for c in grid.countries}
    table = by_choice(verdicts, grid.labels, grid.comparator_name).droplevel("Choice")
    return table.rename(columns=codes)


def turning_choice(verdicts: pd.DataFrame, country: str, labels: dict[str, str]) -> tuple[str, float, float]:
    """The choice other than the window whose options move ``country``'s share of the pattern
    the most, with the lowest and highest share (%) among its options.

    The window is left out of the race: with a dozen options it moves every share, and says so
    in its own rows of :func:`by_choice`.
    """
    table = by_choice(verdicts[verdicts["Country"] == country], labels)[country]
    table = table.drop(index=[DIMENSIONS["start"][0], DIMENSIONS["end"][0]], level="Choice")
    spread = table.groupby(level="Choice", sort=False).agg(lambda s: s.max() - s.min())
    choice = str(spread.idxmax())
    phrase = next(words for title, words in DIMENSIONS.values() if title == choice)
    return phrase, float(table[choice].min()), float(table[choice].max())


def percent(value: float) -> str:
    """A share as the prose writes it: ``"20 %"``."""
    return f"{value:.0f} %"


def conclusion(verdicts: pd.DataFrame, focus: str, labels: dict[str, str]) -> dict[str, str]:
    """What holds across the specifications, country by country, as the prose states it.

    ``result`` is the sentence every page that states the update's result uses (glued from
    here, so the pages cannot disagree); the other values are its parts, for chapter 15's
    own prose.
    """
    table = shares(verdicts[verdicts["Country"].isin(verdicts["Country"])])
    n_specs = int(verdicts["spec"].nunique())
    rows = table[table["counted"] > 0]
    always = [c for c, r in rows.iterrows() if r["pattern"] == r["counted"]]
    never = [c for c, r in rows.iterrows() if r["pattern"] == 0]
    depends = [c for c, r in rows.iterrows() if 0 < r["pattern"] < r["counted"]]
    most = [c for c, r in rows.iterrows() if r["share"] > 50]
    parts = []
    if always:
        parts.append(f"in every specification for {tables.join_words(always)}")
    if never:
        parts.append(f"in none for {tables.join_words(never)}")
    if depends:
        low, high = rows.loc[depends, "share"].idxmin(), rows.loc[depends, "share"].idxmax()
        spread = (
            f"in {percent(rows.at[low, 'share'])} of them"
            if low == high
            else f"from {percent(rows.at[low, 'share'])} of them ({low}) to {percent(rows.at[high, 'share'])} ({high})"
        )
        who = "every country compared" if len(depends) == len(rows) else tables.join_words(depends)
        parts.append(f"in some and not in others for {who}, {spread}")
    result = f"Across {n_specs:,} specifications, the indices show the pattern " + "; ".join(parts) + "."
    if most:
        result += f" It appears in most of them for {tables.join_words(most)}."
    else:
        result += " In no country does it appear in most of them."
    if depends:
        result += " Where the share lies between none and all, the indices do not settle the question either way."
    values = {
        "n_specs": f"{n_specs:,}",
        "always": tables.join_words(always),
        "never": tables.join_words(never),
        "depends": tables.join_words(depends),
        "result": result,
    }
    if focus in rows.index:
        choice, low, high = turning_choice(verdicts, focus, labels)
        values.update(
            {
                "focus_share": percent(rows.at[focus, "share"]),
                "focus_counted": f"{int(rows.at[focus, 'counted']):,}",
                "focus_pattern": f"{int(rows.at[focus, 'pattern']):,}",
                "focus_turns": f"{choice}, from {percent(low)} to {percent(high)} of the specifications",
            }
        )
    return values


# --------------------------------------------------------------------------- the choices, as the chapter lists them


def delta_text(scale: str) -> str:
    """The two deltas of one scale in its own units: ``"2 and 10 places"``."""
    small, large = (DELTAS[d][scale] for d in ("small", "large"))
    return f"{small:g} and {large:g} {UNITS[scale]}"


def setting_values(grid: Grid) -> dict[str, str | int]:
    """The values chapter 15's prose states about the grid's choices (for ``{glue:text}``)."""
    years = sorted({y for w in grid.windows for y in w})
    return {
        "n_windows": len(grid.windows),
        "first_year": years[0],
        "last_year": years[-1],
        "min_years": MIN_YEARS,
        "edge_gap": EDGE_GAP,
        "delta_rank": delta_text("rank"),
        "delta_wgi": delta_text("wgi"),
        "delta_points": delta_text("points"),
        "participation_from": COMPARABLE_FROM["obs_p"],
        "n_readings": len(reading_options(grid.classes)),
        "n_sets": len(set_options(grid.classes)),
        "n_countries": len(grid.countries),
        "source_spans": sentences.source_spans(grid.study.tables),
    }


def choices_table(grid: Grid) -> pd.DataFrame:
    """Each choice the grid crosses, its options (counted from the same lists) and the paragraphs
    or reasons that make each option defensible."""
    starts = sorted({a for a, _ in grid.windows})
    ends = sorted({b for _, b in grid.windows})
    rows, labels = grid.classes.set_index("measure"), grid.labels
    readings = [
        f"{labels[k]}: {rows.at[k, 'alternative']} ({tables.paragraphs_text(rows.at[k, 'paragraphs'])})"
        for k in reading_options(grid.classes)[1:]
    ]
    table = [
        (
            "Window",
            f"{len(grid.windows)}: every pair of years from {starts[0]} to {ends[-1]} that a source holds, "
            f"at least {MIN_YEARS} years apart",
            f"A measure enters when its first and last observation lie within {EDGE_GAP} years of the window's ends; "
            "Open Budget participation only from its 2017 round",
        ),
        (
            "Change that counts",
            f"{len(DELTAS)}: a rank {delta_text('rank')}; a WGI estimate {delta_text('wgi')}; "
            f"a 0–100 score {delta_text('points')}",
            "About 1 % and 5 % of each scale's range",
        ),
        (
            "Baseline",
            f"{len(COMPARATOR_OPTIONS)}: a country's own change, or its change minus {grid.comparator_name}'s",
            "Only for 0–100 scores; a rank and a WGI estimate are already relative",
        ),
        (
            "Classes",
            f"{1 + len(readings)}: the main classes, or one of: " + "; ".join(readings),
            "The paper reads these both ways",
        ),
        (
            "Measures",
            f"{len(set_options(grid.classes))}: all compared, or each left out in turn",
            "No one index carries the verdict",
        ),
    ]
    return pd.DataFrame(table, columns=["Choice", "Options", "Rule"]).set_index("Choice")
