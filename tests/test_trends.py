"""Unit tests of the update chapter's module (halfopen.trends): fast, no kernels."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from halfopen import data, derive, trends

NAMES = [
    "freedom_house",
    "obs_central_asia",
    "egov_survey",
    "wgi",
    "countries",
    "obs_2017_countries",
    "obs_score_bands",
]


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return {name: data.load(name) for name in NAMES}


@pytest.fixture(scope="module")
def everyone(t) -> pd.DataFrame:
    return trends.select_countries(t["countries"])


def test_select_countries_keeps_order_and_refuses_unknown_names(t):
    sel = trends.select_countries(t["countries"], ["Kyrgyzstan", "Kazakhstan"])
    assert list(sel["iso3"]) == ["KGZ", "KAZ"]
    assert len(trends.select_countries(t["countries"])) == len(t["countries"])
    assert list(trends.select_countries(t["countries"], "Tajikistan")["iso3"]) == ["TJK"]
    with pytest.raises(ValueError, match="unknown countries: Atlantis"):
        trends.select_countries(t["countries"], ["Kazakhstan", "Atlantis"])


def test_to_points_puts_every_scale_on_0_to_100():
    assert trends.to_points(0.5578, "unit") == pytest.approx(55.78)
    assert trends.to_points(37, "points") == 37
    assert trends.to_points(-2.5, "wgi") == 0
    assert trends.to_points(2.5, "wgi") == 100
    assert trends.to_points(0.0, "wgi") == 50
    with pytest.raises(ValueError, match="unknown scale"):
        trends.to_points(1.0, "percent")


def test_endpoints_use_each_measures_own_years_inside_the_window():
    assert trends.endpoints([2010, 2012, 2018, 2022, 2024], 2011, 2023) == (2012, 2022)
    assert trends.endpoints([2017, 2025], 2010, 2025) == (2017, 2025)
    assert trends.endpoints([2017], 2010, 2025) is None
    assert trends.endpoints([2006, 2008], 2010, 2025) is None


def test_changes_of_kazakhstan_in_points(t):
    sel = trends.select_countries(t["countries"], ["Kazakhstan"])
    ch = trends.changes(t, sel, 2010, 2025).set_index("Measure")
    assert ch.loc["EGDI", "change"] == pytest.approx((0.9009 - 0.5578) * 100)
    assert ch.loc["Freedom House score", ["from", "to"]].tolist() == [2017, 2025]
    assert ch.loc["Freedom House score", "change"] == 1
    assert ch.loc["WGI government effectiveness", "change"] == pytest.approx((0.147 - -0.493) * 20)
    # OBS participation starts in 2012: the first round in the window with a value.
    assert ch.loc["OBS participation", ["from", "to"]].tolist() == [2012, 2023]
    assert ch.loc["OBS participation", "change"] == pytest.approx(11.06 - 13.75)


def test_changes_keep_countries_a_table_lacks(t, everyone):
    ch = trends.changes(t, everyone, 2010, 2025)
    assert len(ch) == len(everyone) * len(trends.SIGNATURE)
    uzb = ch[(ch["Country"] == "Uzbekistan") & (ch["Measure"] == "OBS transparency")].iloc[0]
    assert math.isnan(uzb["change"]) and uzb["note"] == trends.NO_DATA
    short = trends.changes(t, everyone, 2025, 2025)
    fh = short[(short["Country"] == "Kazakhstan") & (short["Measure"] == "Freedom House score")].iloc[0]
    assert math.isnan(fh["change"]) and "fewer than two" in fh["note"]


def test_group_means_average_the_available_changes(t, everyone):
    means = trends.group_means(trends.changes(t, everyone, 2010, 2025))
    assert list(means.index) == list(everyone["name"])
    kz = trends.changes(t, trends.select_countries(t["countries"], ["Kazakhstan"]), 2010, 2025)
    assert means.loc["Kazakhstan", "political"] == pytest.approx(kz[kz["group"] == "political"]["change"].mean())
    # Denmark has no OBS rows: its means use the measures it has.
    assert not math.isnan(means.loc["Denmark", "technocratic"])


def test_freedom_house_facts(t):
    fh = t["freedom_house"]
    assert trends.status_changes(fh, "Kyrgyzstan") == [(2021, "PF", "NF")]
    assert trends.status_changes(fh, "Kazakhstan") == []
    assert trends.score_range(fh, "Kazakhstan") == (22, 23)
    assert trends.score_range(fh, "Atlantis") is None
    assert trends.score_on(fh, "Kyrgyzstan", 2020) == 39
    assert trends.score_on(fh, "Kyrgyzstan", 1990) is None


def test_fh_table_cells_and_missing_country(t):
    countries = pd.concat(
        [t["countries"], pd.DataFrame([{"iso3": "MNG", "name": "Mongolia", "region": "Comparator"}])], ignore_index=True
    )
    sel = trends.select_countries(countries, ["Kazakhstan", "Mongolia"])
    table = trends.fh_table(t["freedom_house"], sel)
    assert table.loc["Kazakhstan", "2019"] == "22 NF (7/5)"
    assert table.loc["Mongolia"].isna().all()
    assert trends.missing_countries(t["freedom_house"], sel, "country") == ["Mongolia"]


def test_a_country_added_to_the_tables_shows_without_code_change(t):
    countries = pd.concat(
        [t["countries"], pd.DataFrame([{"iso3": "MNG", "name": "Mongolia", "region": "Comparator"}])], ignore_index=True
    )
    wgi = pd.concat(
        [
            t["wgi"],
            pd.DataFrame(
                [
                    {"iso3": "MNG", "year": 2010, "va": 0.1, "ge": -0.5, "rl": 0, "cc": 0},
                    {"iso3": "MNG", "year": 2020, "va": 0.2, "ge": -0.3, "rl": 0, "cc": 0},
                ]
            ),
        ],
        ignore_index=True,
    )
    tables = dict(t, countries=countries, wgi=wgi)
    sel = trends.select_countries(countries, ["Mongolia"])
    ch = trends.changes(tables, sel, 2010, 2025).set_index("Measure")
    assert ch.loc["WGI voice and accountability", "change"] == pytest.approx(2.0)
    assert ch.loc["EGDI", "note"] == trends.NO_DATA


def test_wide_and_first_last_tables_mark_missing_countries(t, everyone):
    wide = trends.wide_table(t["obs_central_asia"], everyone, "round", [("transparency", "Transparency", "{:.2f}")])
    assert wide.loc[("Kazakhstan", "Transparency"), "2017"] == "52.74"
    assert ("Uzbekistan", trends.NO_DATA) in wide.index
    assert pd.isna(wide.loc[("Kyrgyzstan", "Transparency"), "2006"])
    fl = trends.first_last_table(t["wgi"], everyone, "year", [("ge", "GE")])
    assert fl.loc[("Kazakhstan", "GE"), "Change"] == pytest.approx(0.64)


def test_obs_2017_placement_and_global_means(t):
    obs = t["obs_2017_countries"]
    kz = trends.obs_placement(obs, "KAZ", "transparency")
    assert kz["n"] == 115
    assert kz["rank"] == kz["higher"] + 1
    assert kz["higher"] + kz["lower"] < kz["n"]
    assert derive.round_half_up(kz["value"]) == 53
    means = trends.obs_global_means(obs)
    assert derive.round_half_up(means["transparency"]) == 42
    assert derive.round_half_up(means["participation"]) == 12
    assert trends.obs_placement(obs, "ZZZ", "transparency") is None
    table = trends.obs_placement_table(obs, trends.select_countries(t["countries"], ["Denmark", "Kazakhstan"]))
    assert ("Denmark", "not surveyed") in table.index
    assert table.loc[("Kazakhstan", "transparency"), "Rank"] == f"{kz['rank']} of 115"


def test_epi_pairs_take_the_nearest_survey_earlier_on_a_tie(t):
    sel = trends.select_countries(t["countries"], ["Kazakhstan", "Uzbekistan"])
    pairs = trends.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], sel, 2010, 2025)
    got = dict(zip(pairs["OBS round"], pairs["EGDI survey"]))
    assert got == {2012: 2012, 2015: 2014, 2017: 2016, 2019: 2018, 2021: 2022, 2023: 2022}
    assert set(pairs["Country"]) == {"Kazakhstan"}
    late = trends.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], sel, 2018, 2025)
    assert late["OBS round"].min() == 2019


def test_lines_break_at_a_missing_edition():
    xs, ys = trends._with_gaps([2016, 2018, 2022], [1.0, 2.0, 3.0], 2)
    assert xs == [2016, 2018, 2020, 2022] and math.isnan(ys[2])
    assert trends._with_gaps([2016, 2018], [1.0, 2.0], None) == ([2016, 2018], [1.0, 2.0])


def test_text_helpers():
    assert trends.names_text(["A", "B", "C"]) == "A, B and C"
    assert trends.names_text([]) == "none"
    assert [trends.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 42, 112)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "42nd",
        "112th",
    ]


def test_figures_are_figures_and_name_missing_countries(t, everyone):
    ch = trends.changes(t, everyone, 2010, 2025)
    figs = [
        trends.signature_figure(ch, 2010, 2025),
        trends.series_figure(
            t["obs_central_asia"],
            everyone,
            "round",
            [("transparency", "T"), ("participation", "P")],
            "OBS",
            "score",
            reference={"transparency": (61, "sufficient")},
        ),
        trends.series_figure(t["egov_survey"], everyone, "survey", [("egdi", "EGDI")], "EGDI", "index", step=2),
        trends.obs_distribution_figure(t["obs_2017_countries"], everyone, t["obs_score_bands"]),
        trends.epi_participation_figure(
            trends.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], everyone, 2010, 2025), everyone
        ),
    ]
    for fig in figs:
        assert isinstance(fig, plt.Figure)
    texts = [x.get_text() for x in figs[1].texts]
    assert any("Denmark" in x and "Uzbekistan" in x for x in texts)
    for fig in figs:
        plt.close(fig)


def test_figures_keep_everything_inside_the_canvas(t, everyone):
    """The chapter renders these figures once, as their constrained layout placed them
    (halfopen.nb.Rendered, no tight bounding box): nothing may stick out of the canvas, with
    every country of the tables shown (the longest legends) and with a selection that
    leaves a note of missing countries under the panels."""
    cases = {}
    for label, names in (("every country", None), ("one country", ["Kazakhstan"]), ("two", ["Denmark", "Tajikistan"])):
        selected = trends.select_countries(t["countries"], names)
        ch = trends.changes(t, selected, 2010, 2025)
        pairs = trends.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], selected, 2010, 2025)
        cases[f"signature, {label}"] = trends.signature_figure(ch, 2010, 2025)
        cases[f"series, {label}"] = trends.series_figure(
            t["egov_survey"],
            selected,
            "survey",
            [("egdi", "EGDI"), ("osi", "OSI"), ("tii", "TII"), ("hci", "HCI"), ("epi", "EPI")],
            "UN E-Government Survey",
            "index",
            step=2,
        )
        cases[f"obs 2017, {label}"] = trends.obs_distribution_figure(
            t["obs_2017_countries"], selected, t["obs_score_bands"]
        )
        cases[f"epi, {label}"] = trends.epi_participation_figure(pairs, selected)
    for name, fig in cases.items():
        assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine), name
        fig.canvas.draw()
        inside = fig.get_tightbbox(fig.canvas.get_renderer())
        width, height = fig.get_size_inches()
        outside = {
            "left": -inside.x0,
            "bottom": -inside.y0,
            "right": inside.x1 - width,
            "top": inside.y1 - height,
        }
        assert all(v <= 1 / fig.dpi for v in outside.values()), (
            f"{name}: content outside the canvas (inches): {outside}"
        )
        plt.close(fig)
