"""Every specification of the update (chapter 15): the grid, its rules, and results worked by hand."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest

from halfopen import method, multiverse, spec_curve, theme

TWO_SIDES = {"technocratic", "political"}


@pytest.fixture(scope="module")
def grid(study) -> multiverse.Grid:
    return multiverse.Grid(study)


@pytest.fixture(scope="module")
def verdicts(grid) -> pd.DataFrame:
    return grid.verdicts()


def verdict(grid: multiverse.Grid, country: str, **choices) -> pd.Series:
    """The grid's verdict for ``country`` under the specification ``choices`` (or the one the grid
    counts in its place: the same measures, classes and baselines over the same years)."""
    asked = multiverse.Spec(**choices)
    same = [
        i
        for i, s in enumerate(grid.specs)
        if (s.start, s.end, s.delta) == (asked.start, asked.end, asked.delta)
        and grid.effective(s) == grid.effective(asked)
    ]
    assert len(same) == 1, f"{asked} is not counted in the grid"
    frame = grid.verdicts()
    row = frame[(frame["spec"] == same[0]) & (frame["Country"] == country)]
    assert len(row) == 1
    return row.iloc[0]


# --------------------------------------------------------------------------- the grid is complete


def test_the_grid_is_every_combination_of_the_listed_choices_less_the_stated_exclusions(study, grid):
    """Enumerated here from the lists themselves, by the chapter's two rules: a combination with
    no technocratic or no political measure is not counted, and combinations that use the same
    measures, classes and baselines over the same window and threshold are one specification."""
    rows = {r["measure"]: r for r in multiverse.compared(study.classes).to_dict("records")}
    keys = list(rows)
    years = sorted({y for k in keys for y in method.measure_years(study.tables, k)})
    windows = [(a, b) for a, b in itertools.combinations(years, 2) if b - a >= multiverse.MIN_YEARS]
    assert grid.windows == windows
    readings = ["main"] + [k for k, r in rows.items() if isinstance(r["alternative"], str) and r["alternative"]]
    sets = [""] + keys
    assert multiverse.reading_options(study.classes) == readings
    assert multiverse.set_options(study.classes) == sets
    combos = list(itertools.product(windows, multiverse.DELTAS, multiverse.COMPARATOR_OPTIONS, readings, sets))
    assert len(combos) == len(windows) * len(multiverse.DELTAS) * 2 * len(readings) * len(sets)
    comparator_has = {k: not method.series_of(study.tables, k, "Denmark", "DNK").dropna().empty for k in keys}
    # each measure's years, read once (the loop below runs over every combination)
    own_years = {k: [y for y in method.measure_years(study.tables, k) if k != "obs_p" or y >= 2017] for k in keys}
    kept = set()
    for (a, b), delta, comparator, reading, left_out in combos:
        used = []
        for k in keys:
            cls = rows[k]["alternative"] if reading == k else rows[k]["class"]
            if k == left_out or cls not in TWO_SIDES:
                continue
            inside = [y for y in own_years[k] if a <= y <= b]
            if len(inside) < 2 or inside[0] - a > multiverse.EDGE_GAP or b - inside[-1] > multiverse.EDGE_GAP:
                continue
            absolute = method.MEASURES[k].scale == "points"
            if comparator and absolute and not comparator_has[k]:
                continue
            used.append((k, cls, "comparator" if comparator and absolute else "own"))
        if {c for _, c, _ in used} >= TWO_SIDES:
            kept.add((a, b, delta, tuple(used)))
    assert len(grid.specs) == len(kept), f"{len(grid.specs)} specifications, {len(kept)} by the stated rules"
    assert len(kept) < len(combos), "the rules exclude some combinations"
    assert len({(s.start, s.end, s.delta, grid.effective(s)) for s in grid.specs}) == len(grid.specs)


def test_no_relative_measure_has_a_comparator_subtracted(grid, study):
    for spec in grid.specs:
        for key, _cls, base in grid.effective(spec):
            if method.MEASURES[key].scale in multiverse.RELATIVE_SCALES:
                assert base == "own", (spec, key)
    # and in numbers: Kazakhstan held 28th on the EGDI in 2014 and 2022 (egov_survey.csv), while
    # Denmark rose from 16th to 1st; with the comparator option on, the rank's change stays 0, not -15
    spec = multiverse.Spec(2013, 2023, "small", True, "main", "")
    assert grid.change("Kazakhstan", "egdi_rank", spec, "own")[:3] == (0.0, 2014, 2022)


def test_no_participation_change_starts_before_2017(grid):
    seen = 0
    for spec in grid.specs:
        for key, _cls, base in grid.effective(spec):
            if key != "obs_p":
                continue
            for country in ("Kazakhstan", "Kyrgyzstan", "Tajikistan"):
                change, first, _last = grid.change(country, "obs_p", spec, base)
                if first is not None:
                    seen += 1
                    assert first >= 2017, (spec, country, first)
    assert seen, "participation enters some specifications"


def test_a_relative_scale_is_never_subtracted_and_a_missing_comparator_drops_the_measure(grid):
    assert grid.baseline("egdi_rank", True) == "own"
    assert grid.baseline("ge", True) == "own"
    assert grid.baseline("fh", True) == "comparator"
    assert grid.baseline("obs_t", True) is None  # Denmark is not in the Open Budget Survey
    assert grid.baseline("obs_t", False) == "own"


# --------------------------------------------------------------------------- results worked out by hand


def test_kazakhstan_2013_to_2023_small_threshold_main_classes(grid):
    """EGDI rank 28 in 2014 and 28 in 2022: +0 places, not more than 2 (no rise). Government
    effectiveness -0.621 (2013) to 0.147 (2023): +0.768, more than 0.05 (a rise). One of two
    technocratic measures rose: not more than half, so no pattern, whatever the political side."""
    row = verdict(
        grid, "Kazakhstan", start=2013, end=2023, delta="small", comparator=False, reading="main", left_out=""
    )
    assert (row["technocratic"], row["technocratic_rose"]) == (2, 1)
    assert row["counted"] and not row["pattern"]


def test_kazakhstan_2013_to_2023_large_threshold_corruption_read_as_technocratic_without_transparency(grid):
    """Technocratic: EGDI rank 28 to 28, +0 places, not more than 10 (no rise); effectiveness
    +0.768 and control of corruption -0.931 (2013) to -0.267 (2023) = +0.664, both more than 0.25:
    2 of 3 rose, more than half. Political: Freedom House 26 (2013 edition) to 23 (2023): -3, not
    more than 5, no rise; participation's first comparable round, 2017, lies 4 years inside the
    window (more than 2), so it does not enter: 0 of 1 rose, so the pattern appears."""
    row = verdict(
        grid, "Kazakhstan", start=2013, end=2023, delta="large", comparator=False, reading="cc", left_out="obs_t"
    )
    assert (row["technocratic"], row["technocratic_rose"]) == (3, 2)
    assert (row["political"], row["political_rose"]) == (1, 0)
    assert row["pattern"]
    # with corruption read as political (its main class), 1 of 2 technocratic measures rose: no pattern
    row = verdict(
        grid, "Kazakhstan", start=2013, end=2023, delta="large", comparator=False, reading="main", left_out="obs_t"
    )
    assert (row["technocratic"], row["technocratic_rose"]) == (2, 1)
    assert not row["pattern"]


def test_kyrgyzstan_2013_to_2023_effectiveness_not_placed_with_and_without_the_comparator(grid):
    """Technocratic: EGDI rank 101 (2014) to 81 (2022), 20 places gained, more than 2: 1 of 1 rose.
    Political, own change: control of corruption -1.162 to -1.221 (-0.059, no rise); Freedom House
    39 to 27 (-12, no rise); OBS transparency 54.4 (2015) to 61.11 (2023), +6.71, more than 1 (a
    rise); participation does not enter (2017 lies 4 years inside the window): 1 of 3 rose, 2 did
    not, more than half: the pattern appears. With Denmark's change subtracted: Freedom House
    -12 - (97 - 98) = -11, no rise; transparency drops out (Denmark is not surveyed): 0 of 2 rose,
    and the pattern appears again."""
    own = verdict(grid, "Kyrgyzstan", start=2013, end=2023, delta="small", comparator=False, reading="ge", left_out="")
    assert (own["technocratic"], own["technocratic_rose"], own["political"], own["political_rose"]) == (1, 1, 3, 1)
    assert own["pattern"]
    spec = multiverse.Spec(2013, 2023, "small", True, "ge", "")
    assert grid.change("Kyrgyzstan", "fh", spec, "comparator")[0] == pytest.approx(-11)
    minus = verdict(grid, "Kyrgyzstan", start=2013, end=2023, delta="small", comparator=True, reading="ge", left_out="")
    assert (minus["political"], minus["political_rose"]) == (2, 0)
    assert minus["pattern"]


# --------------------------------------------------------------------------- parameters and summaries


def test_a_window_the_parameters_empty_is_refused_clearly(study):
    with pytest.raises(ValueError, match=r"start_year=2022, end_year=None leaves no specification to count"):
        multiverse.Grid(study, 2022, None)


def test_parameters_narrow_the_windows(study):
    narrowed = multiverse.Grid(study, 2017, 2023)
    assert narrowed.windows and all(2017 <= a and b <= 2023 for a, b in narrowed.windows)
    assert all(b - a >= multiverse.MIN_YEARS for a, b in narrowed.windows)


def test_a_country_without_political_data_is_not_counted():
    frame = pd.DataFrame(
        {
            "spec": [0, 0],
            "Country": ["A", "B"],
            "counted": [True, False],
            "pattern": [True, False],
        }
    )
    assert multiverse.shares(frame).loc["A", "share"] == 100
    assert multiverse.shares(frame).loc["B", "counted"] == 0


def test_the_conclusion_says_only_what_holds_across_specifications():
    rows = []
    for spec, delta in enumerate(["small", "large"]):
        for country, pattern in (("A", True), ("B", False), ("C", delta == "small")):
            rows.append(
                {
                    "spec": spec,
                    "start": 2013,
                    "end": 2023,
                    "delta": delta,
                    "comparator": False,
                    "reading": "main",
                    "left_out": "",
                    "Country": country,
                    "counted": True,
                    "pattern": pattern,
                }
            )
    frame = pd.DataFrame(rows)
    said = multiverse.conclusion(frame, "C", {})
    assert said["result"].startswith(
        "Across 2 specifications, the indices show the pattern in every specification for A"
    )
    assert "in none for B" in said["result"]
    assert "in some and not in others for C, in 50 % of them" in said["result"]
    assert "do not settle the question" in said["result"]
    assert said["focus_turns"] == "the size of change that counts, from 0 % to 100 % of the specifications"


def test_the_books_conclusion_holds_for_every_country_shown(verdicts, grid):
    said = multiverse.conclusion(verdicts, "Kazakhstan", grid.labels)
    table = multiverse.shares(verdicts)
    for country, row in table.iterrows():
        if row["pattern"] == row["counted"]:
            assert country in said["always"]
        elif row["pattern"] == 0:
            assert country in said["never"]
        else:
            assert country in said["depends"]
    assert said["n_specs"] == f"{len(grid.specs):,}"


def test_by_choice_gives_each_options_share(verdicts, grid):
    table = multiverse.by_choice(verdicts, grid.labels)
    counted = verdicts[verdicts["counted"]]
    small = counted[(counted["delta"] == "small") & (counted["Country"] == "Kazakhstan")]
    assert table.loc[("Change that counts", "small delta"), "Kazakhstan"] == pytest.approx(
        100 * small["pattern"].mean()
    )


def test_the_choices_table_counts_the_options_from_the_lists(grid):
    table = multiverse.choices_table(grid)
    assert table.loc["Window", "Options"].startswith(f"{len(grid.windows)}:")
    assert table.loc["Classes", "Options"].startswith(f"{len(multiverse.reading_options(grid.classes))}:")
    assert "¶6" in table.loc["Classes", "Options"]


# --------------------------------------------------------------------------- the figure


def test_the_curve_shows_every_specification_and_stays_light(verdicts, grid):
    theme.apply()
    fig = spec_curve.curve_figure(verdicts, "Kazakhstan", grid.labels, "Denmark")
    top = fig.axes[0]
    drawn = sum(p.get_width() for p in top.patches)
    assert drawn == pytest.approx(len(grid.specs)), "the runs of the curve cover every specification"
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    assert len(buffer.getvalue()) < 200_000, "the figure's SVG stays light"
    assert theme.smallest_text(fig)[0] >= 10


def test_binned_averages_runs_of_specifications_and_leaves_an_empty_run_blank():
    rows = np.array([[1.0, 0.0, 1.0, 1.0, np.nan]])
    out = spec_curve.binned(rows, 2)
    assert out[0, :2].tolist() == [0.5, 1.0]
    assert np.isnan(out[0, 2])


def test_the_curve_is_the_same_svg_whatever_the_hash_seed():
    """Two processes with different hash seeds draw byte-identical SVG (a clip path's id once
    depended on it, so two clean builds of the book differed)."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib\n"
        "from halfopen import theme, method, multiverse, spec_curve\n"
        "from halfopen.nb import Rendered\n"
        "theme.apply()\n"
        "s = method.load_study(); g = multiverse.Grid(s)\n"
        "fig = spec_curve.curve_figure(g.verdicts(), 'Kazakhstan', g.labels, 'Denmark')\n"
        "print(hashlib.sha256(Rendered(fig).svg.encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "3")
    }
    assert len(digests) == 1, digests
