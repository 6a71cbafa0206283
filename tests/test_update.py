"""Unit tests of the update's modules (method, timeseries, freedom_house, open_budget, egov_survey,
sentences): fast, no kernels."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Annotation

from halfopen import data, derive, egov_survey, freedom_house, method, open_budget, sentences, tables, theme, timeseries

NAMES = [
    "freedom_house",
    "obs_central_asia",
    "egov_survey",
    "wgi",
    "countries",
    "obs_2017_countries",
    "obs_score_bands",
    "measure_classes",
]


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return {name: data.load(name) for name in NAMES}


@pytest.fixture(scope="module")
def everyone(t) -> pd.DataFrame:
    return method.select_countries(t["countries"])


@pytest.fixture(scope="module")
def compared(t) -> pd.DataFrame:
    return method.classification(t["measure_classes"], "compared")


@pytest.fixture(scope="module")
def own_changes(t, everyone, compared) -> pd.DataFrame:
    """Every country's change of every compared measure over the common window (2013-2023), on
    each measure's own scale: no comparator, no common unit."""
    start, end = method.common_window(t, list(compared["measure"]))
    return method.changes(t, everyone, compared, start, end)


def test_select_countries_keeps_order_and_refuses_unknown_names(t):
    sel = method.select_countries(t["countries"], ["Kyrgyzstan", "Kazakhstan"])
    assert list(sel["iso3"]) == ["KGZ", "KAZ"]
    assert len(method.select_countries(t["countries"])) == len(t["countries"])
    assert list(method.select_countries(t["countries"], "Tajikistan")["iso3"]) == ["TJK"]
    with pytest.raises(ValueError, match="unknown countries: Atlantis"):
        method.select_countries(t["countries"], ["Kazakhstan", "Atlantis"])


# --------------------------------------------------------------------------- the new data


def test_freedom_house_runs_from_the_2013_edition(t):
    """Issue 12: the all-data file's 2013-2016 editions are in the table."""
    fh = t["freedom_house"]
    assert sorted(int(e) for e in fh["edition"].unique()) == list(range(2013, 2026))
    assert len(fh) == 6 * 13
    got = {
        (n, e): freedom_house.score_on(fh, n, e)
        for n, e in [
            ("Kazakhstan", 2013),
            ("Kazakhstan", 2017),
            ("Kazakhstan", 2025),
            ("Tajikistan", 2013),
            ("Tajikistan", 2025),
            ("Denmark", 2013),
        ]
    }
    assert got == {
        ("Kazakhstan", 2013): 26,
        ("Kazakhstan", 2017): 22,
        ("Kazakhstan", 2025): 23,
        ("Tajikistan", 2013): 24,
        ("Tajikistan", 2025): 5,
        ("Denmark", 2013): 98,
    }


def test_the_2020_e_government_survey_is_in_the_table(t):
    egov = t["egov_survey"]
    assert sorted(int(s) for s in egov["survey"].unique()) == [2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024]
    kz = egov[(egov["iso3"] == "KAZ") & (egov["survey"] == 2020)].iloc[0]
    assert (int(kz["egdi_rank"]), float(kz["egdi"])) == (29, 0.8375)
    assert len(egov[egov["survey"] == 2020]) == 6


# --------------------------------------------------------------------------- classes from the paper

#: measure: (class, alternative, paragraphs, role), as data/measure_classes.csv must say.
CLASSES = {
    "egdi_rank": ("technocratic", "", "6;28-29;44", "compared"),
    "osi": ("technocratic", "", "6;28", "shown"),
    "epi": ("technocratic", "", "17-18", "shown"),
    "ge": ("technocratic", "not placed", "6", "compared"),
    "cc": ("political", "technocratic", "6;31-32;36", "compared"),
    "rl": ("not placed", "", "19;22-24", "shown"),
    "va": ("political", "", "13-16;25-27", "check"),
    "fh": ("political", "", "5-6;13-16;25-27", "compared"),
    "obs_t": ("political", "technocratic", "8;19-21;36", "compared"),
    "obs_p": ("political", "", "17;19;21;36", "compared"),
    "obs_o": ("not placed", "", "19", "shown"),
}


def test_each_measure_is_classed_with_its_paragraphs(t):
    """Issue 12: open budgets are political (¶19, ¶21, ¶36); control of corruption, budget
    transparency (technocratic if read as the central documents, ¶8) and government
    effectiveness (placed on neither side, ¶6) are read both ways; OSI is not compared beside
    the EGDI, voice and accountability is only a check."""
    rows = method.classification(t["measure_classes"]).fillna({"alternative": ""})
    got = {r["measure"]: (r["class"], r["alternative"], r["paragraphs"], r["role"]) for r in rows.to_dict("records")}
    for key in sorted(set(got) | set(CLASSES)):
        assert got.get(key) == CLASSES.get(key), f"{key}: table says {got.get(key)}, expected {CLASSES.get(key)}"
    paragraphs = {int(n) for p in got.values() for part in p[2].split(";") for n in part.split("-")}
    assert paragraphs <= set(range(1, 47))


def test_classification_refuses_a_measure_it_cannot_read(t):
    bad = pd.concat([t["measure_classes"], t["measure_classes"].iloc[[0]].assign(measure="gdp")], ignore_index=True)
    with pytest.raises(ValueError, match="cannot read: gdp"):
        method.classification(bad)


def test_paragraphs_are_written_with_pilcrows_and_en_dashes():
    assert tables.paragraphs_text("6;28;44-45") == "¶6, ¶28, ¶44–45"
    assert tables.paragraphs_text("8;19-21;36") == "¶8, ¶19–21, ¶36"


# --------------------------------------------------------------------------- one window


def test_the_common_window_is_2013_to_2023(t, compared):
    assert method.common_window(t, list(compared["measure"])) == (2013, 2023)
    assert method.common_window(t, ["egdi_rank", "ge"]) == (2010, 2023)


def test_parameters_narrow_the_window_and_never_stretch_it():
    assert method.narrow_window((2013, 2023), None, None) == (2013, 2023, [])
    assert method.narrow_window((2013, 2023), 2016, 2020) == (2016, 2020, [])
    start, end, notes = method.narrow_window((2013, 2023), 2010, 2025)
    assert (start, end) == (2013, 2023)
    assert len(notes) == 2 and "starts in 2013" in notes[0] and "ends in 2023" in notes[1]
    with pytest.raises(ValueError, match="leave no years"):
        method.narrow_window((2013, 2023), 2024, None)


def test_endpoints_use_each_measures_own_years_inside_the_window():
    assert method.endpoints([2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024], 2013, 2023) == (2014, 2022)
    assert method.endpoints([2017, 2025], 2010, 2025) == (2017, 2025)
    assert method.endpoints([2017], 2010, 2025) is None
    assert method.endpoints([2006, 2008], 2010, 2025) is None


def test_window_table_names_each_measures_nearest_observations(t, compared):
    table = method.window_table(t, compared, 2013, 2023)
    assert table.loc["EGDI rank", "Compared"] == "2014 and 2022"
    assert table.loc["Freedom House score", "Source covers"] == "2013–2025"
    # participation's questions were redesigned in 2017: its rounds are compared from 2017 only
    assert table.loc["OBS participation", "Compared"] == "2017 and 2023"
    assert table.loc["OBS participation", "Source covers"] == "2012–2023 (comparable from 2017)"


# --------------------------------------------------------------------------- changes on each measure's own scale


def test_changes_of_kazakhstan_on_each_measures_own_scale(own_changes):
    kz = own_changes[own_changes["Country"] == "Kazakhstan"].set_index("measure")
    # Freedom House from the 2013 edition (data/freedom_house.csv): 26 -> 23, change 23 - 26 = -3,
    # not the +1 of a 2017 start (22 -> 23).
    assert kz.loc["fh", ["from", "to", "start", "end", "change"]].tolist() == [2013, 2023, 26, 23, -3]
    # EGDI by rank (data/egov_survey.csv): the surveys inside 2013-2023 are 2014..2022; rank 28 in
    # both, change 28 - 28 = 0 places.
    assert kz.loc["egdi_rank", ["from", "to"]].tolist() == [2014, 2022]
    assert kz.loc["egdi_rank", ["start", "end", "change"]].tolist() == [28, 28, 0]
    # WGI estimates (data/wgi.csv), in estimate units: ge -0.621 (2013) -> 0.147 (2023),
    # change 0.147 + 0.621 = 0.768; cc -0.931 -> -0.267, change 0.931 - 0.267 = 0.664.
    assert kz.loc["ge", "change"] == pytest.approx(0.768)
    assert kz.loc["cc", ["start", "end"]].tolist() == [-0.931, -0.267]
    assert kz.loc["cc", "change"] == pytest.approx(0.664)
    # OBS scores (data/obs_central_asia.csv), in points: transparency's rounds 2015 and 2023 inside
    # the window, 51.22 -> 62.66 = +11.44; participation only from its redesigned 2017 round:
    # 12.89 -> 11.06 = -1.83 (not 27.0 -> 11.06 from 2015).
    assert kz.loc["obs_t", ["from", "to"]].tolist() == [2015, 2023]
    assert kz.loc["obs_t", "change"] == pytest.approx(11.44)
    assert kz.loc["obs_p", ["from", "to"]].tolist() == [2017, 2023]
    assert kz.loc["obs_p", "change"] == pytest.approx(-1.83)
    assert set(kz["note"]) == {""}


def test_changes_give_a_rank_as_places_and_keep_no_comparator(own_changes):
    assert list(own_changes.columns) == [
        "Country",
        "measure",
        "Measure",
        "class",
        "alternative",
        "from",
        "to",
        "start",
        "end",
        "change",
        "note",
    ]
    dk = own_changes[own_changes["Country"] == "Denmark"].set_index("measure")
    # Denmark's EGDI rank 16 (2014) -> 1 (2022): 1 - 16 = -15, a fall in the number, a rise in place.
    assert dk.loc["egdi_rank", ["start", "end", "change"]].tolist() == [16, 1, -15]
    # Denmark's control of corruption 2.399 (2013) -> 2.376 (2023): 2.376 - 2.399 = -0.023.
    assert dk.loc["cc", "change"] == pytest.approx(-0.023)
    # Denmark is not in the Open Budget Survey: kept, with NaN and the note.
    assert math.isnan(dk.loc["obs_p", "change"]) and dk.loc["obs_p", "note"] == method.NO_DATA
    # ge may be read as not placed; cc and obs_t as technocratic (data/measure_classes.csv).
    assert dk["alternative"].to_dict() == {
        "egdi_rank": "",
        "ge": "not placed",
        "cc": "technocratic",
        "fh": "",
        "obs_t": "technocratic",
        "obs_p": "",
    }


def test_changes_keep_countries_a_table_lacks(t, everyone, compared):
    ch = method.changes(t, everyone, compared, 2013, 2023)
    assert len(ch) == len(everyone) * len(compared)
    uzb = ch[(ch["Country"] == "Uzbekistan") & (ch["measure"] == "obs_t")].iloc[0]
    assert math.isnan(uzb["change"]) and uzb["note"] == method.NO_DATA
    short = method.changes(t, everyone, compared, 2023, 2023)
    fh = short[(short["Country"] == "Kazakhstan") & (short["measure"] == "fh")].iloc[0]
    assert math.isnan(fh["change"]) and "fewer than two" in fh["note"]


def test_direction_says_whether_two_changes_went_the_same_way():
    assert sentences.direction(0.239, -3.0) == "moved in opposite directions"
    assert sentences.direction(-0.5, -2.0) == "moved the same way"
    assert sentences.direction(1.0, 2.0) == "moved the same way"
    assert sentences.direction(0.0, 2.0) == "did not both move"
    assert sentences.direction(0.0, 0.0) == "did not both move"
    assert sentences.direction(math.nan, 1.0) == "cannot both be measured"
    assert sentences.direction(1.0, math.nan) == "cannot both be measured"


def test_freedom_house_facts(t):
    fh = t["freedom_house"]
    assert freedom_house.status_changes(fh, "Kyrgyzstan") == [(2021, "PF", "NF")]
    assert freedom_house.status_changes(fh, "Kazakhstan") == []
    assert freedom_house.score_range(fh, "Kazakhstan") == (22, 26)
    assert freedom_house.score_range(fh, "Atlantis") is None
    assert freedom_house.score_on(fh, "Kyrgyzstan", 2020) == 39
    assert freedom_house.score_on(fh, "Kyrgyzstan", 1990) is None
    words = {"F": "free", "PF": "partly free", "NF": "not free"}
    everyone = method.select_countries(t["countries"])
    assert (
        freedom_house.status_changes_text(fh, everyone, words)
        == "Kyrgyzstan from partly free to not free in the 2021 edition"
    )


def test_fh_table_cells_and_missing_country(t):
    countries = pd.concat(
        [t["countries"], pd.DataFrame([{"iso3": "MNG", "name": "Mongolia", "region": "Comparator"}])], ignore_index=True
    )
    sel = method.select_countries(countries, ["Kazakhstan", "Mongolia"])
    table = freedom_house.fh_table(t["freedom_house"], sel)
    assert table.loc["Kazakhstan", "2019"] == "22 NF (7/5)"
    assert table.loc["Mongolia"].isna().all()
    assert method.missing_countries(t["freedom_house"], sel, "country") == ["Mongolia"]


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
    sel = method.select_countries(countries, ["Mongolia"])
    ch = method.changes(tables, sel, method.classification(t["measure_classes"]), 2010, 2025).set_index("measure")
    # va 0.1 (2010) -> 0.2 (2020): 0.2 - 0.1 = 0.1 of an estimate (no longer 2 points).
    assert ch.loc["va", "change"] == pytest.approx(0.1)
    assert ch.loc["egdi_rank", "note"] == method.NO_DATA


def test_tables_leave_out_countries_without_data_and_their_captions_name_them(t, everyone):
    obs = t["obs_central_asia"]
    wide = timeseries.wide_table(obs, everyone, "round", [("transparency", "Transparency", "{:.2f}")])
    assert wide.loc[("Kazakhstan", "Transparency"), "2017"] == "52.74"
    assert pd.isna(wide.loc[("Kyrgyzstan", "Transparency"), "2006"])
    without = set(everyone["name"]) - set(wide.index.get_level_values("Country"))
    assert without and set(method.missing_countries(obs, everyone)) == without
    caption = timeseries.absent_caption("Scores (0–100)", obs, everyone)
    named = tables.join_words(method.missing_countries(obs, everyone))
    assert caption == f"Scores (0–100). Not in the table, no data in the source: {named}."
    kz = method.select_countries(t["countries"], ["Kazakhstan"])
    assert timeseries.absent_caption("Scores (0–100)", obs, kz) == "Scores (0–100)"
    fl = timeseries.first_last_table(t["wgi"], everyone, "year", [("ge", "GE")])
    assert fl.loc[("Kazakhstan", "GE"), "Change"] == pytest.approx(0.64)


def test_obs_2017_placement_and_global_means(t):
    obs = t["obs_2017_countries"]
    kz = open_budget.obs_placement(obs, "KAZ", "transparency")
    assert kz["n"] == 115
    assert kz["rank"] == kz["higher"] + 1
    assert kz["higher"] + kz["lower"] < kz["n"]
    assert kz["value"] == pytest.approx(52.74)  # Kazakhstan's own score (its rounding: tests/test_fidelity.py)
    means = open_budget.obs_global_means(obs)
    assert derive.round_half_up(means["transparency"]) == 42
    assert derive.round_half_up(means["participation"]) == 12
    assert open_budget.obs_placement(obs, "ZZZ", "transparency") is None
    table = open_budget.obs_placement_table(obs, method.select_countries(t["countries"], ["Denmark", "Kazakhstan"]))
    assert "Denmark" not in table.index.get_level_values("Country")
    assert "Denmark" in timeseries.absent_caption(
        "x", obs, method.select_countries(t["countries"], ["Denmark"]), "not surveyed"
    )
    assert table.loc[("Kazakhstan", "transparency"), "Rank"] == f"{kz['rank']} of 115"


def test_epi_pairs_take_the_nearest_survey_earlier_on_a_tie(t):
    sel = method.select_countries(t["countries"], ["Kazakhstan", "Uzbekistan"])
    pairs = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], sel, 2010, 2025)
    got = dict(zip(pairs["OBS round"], pairs["EGDI survey"]))
    # Rounds from 2017 only; each lies one year from two biennial surveys, the earlier taken:
    # 2017 -> 2016 (not 2018), 2019 -> 2018, 2021 -> 2020 (now in the table), 2023 -> 2022.
    assert got == {2017: 2016, 2019: 2018, 2021: 2020, 2023: 2022}
    assert set(pairs["Country"]) == {"Kazakhstan"}
    # data/egov_survey.csv KAZ 2016 epi 0.5932 -> 59.32 points; data/obs_central_asia.csv KAZ 2017
    # participation 12.89.
    first = pairs.iloc[0]
    assert (first["EPI (points)"], first["Participation"]) == (pytest.approx(59.32), 12.89)
    late = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], sel, 2018, 2025)
    assert late["OBS round"].min() == 2019


def test_epi_pairs_refuse_participation_rounds_before_2017(t, everyone):
    """The Open Budget Survey's participation questions were redesigned for its 2017 round."""
    assert method.COMPARABLE_FROM == {"obs_p": 2017}
    pairs = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], everyone, 2006, 2025)
    # data/obs_central_asia.csv has participation for the 2012 and 2015 rounds of KAZ, KGZ, TJK.
    assert pairs["OBS round"].min() == 2017
    assert not set(pairs["OBS round"]) & {2012, 2015}
    # every surveyed country keeps its four rounds 2017, 2019, 2021, 2023
    assert pairs.groupby("Country", sort=False)["OBS round"].apply(list).to_dict() == {
        "Kazakhstan": [2017, 2019, 2021, 2023],
        "Kyrgyzstan": [2017, 2019, 2021, 2023],
        "Tajikistan": [2017, 2019, 2021, 2023],
    }
    early = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], everyone, 2010, 2016)
    assert early.empty
    assert list(early.columns) == ["Country", "OBS round", "EGDI survey", "EPI (points)", "Participation"]


def test_epi_figure_draws_an_arrow_from_each_round_to_the_next(t, everyone):
    pairs = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], everyone, 2010, 2025)
    fig = egov_survey.epi_participation_figure(pairs, everyone)
    ax = fig.axes[0]
    arrows = [a for a in ax.texts if isinstance(a, Annotation) and a.arrow_patch is not None]
    labels = [a for a in ax.texts if isinstance(a, Annotation) and a.arrow_patch is None]
    # three countries with four rounds each: 3 arrows each, 9 in all; two round labels each
    assert len(arrows) == 9
    assert sorted(a.get_text() for a in labels) == ["2017", "2017", "2017", "2023", "2023", "2023"]
    # Kazakhstan's first arrow: from (EPI 2016 59.32, participation 2017 12.89)
    # to (EPI 2018 83.71, participation 2019 16.56), in its colour
    colour = to_rgba(theme.country_colour("Kazakhstan", 1))
    kz = [a for a in arrows if a.arrow_patch.get_edgecolor() == colour]
    assert len(kz) == 3
    assert kz[0].xyann == pytest.approx((59.32, 12.89)) and kz[0].xy == pytest.approx((83.71, 16.56))
    # the rounds are marks, not a line: the only drawn line is the diagonal
    assert [line.get_linestyle() for line in ax.lines].count("None") == 3
    assert len([line for line in ax.lines if line.get_linestyle() != "None"]) == 1
    assert fig.get_supxlabel() == "No pairs: Denmark, Turkmenistan and Uzbekistan."
    plt.close(fig)


def test_lines_break_at_a_missing_edition():
    xs, ys = timeseries.with_gaps([2016, 2018, 2022], [1.0, 2.0, 3.0], 2)
    assert xs == [2016, 2018, 2020, 2022] and math.isnan(ys[2])
    assert timeseries.with_gaps([2016, 2018], [1.0, 2.0], None) == ([2016, 2018], [1.0, 2.0])


def test_describe_path_shows_the_dip_a_first_and_last_value_would_hide(t):
    """Issue 12, finding 9: Kazakhstan's transparency fell to 34.77 in 2008 before it rose."""
    kz = method.series_of(t, "obs_t", "Kazakhstan", "KAZ")
    assert (
        sentences.describe_path(kz)
        == "43.09 in 2006, a low of 34.77 in 2008, a high of 62.96 in 2021 and 62.66 in 2023"
    )
    fh = method.series_of(t, "fh", "Kazakhstan", "KAZ")
    assert sentences.describe_path(fh, "{:.0f}") == "26 in 2013, a low of 22 in 2017 and 23 in 2025"
    assert (
        sentences.describe_path(pd.Series([1.0, 2.0, 3.0], index=[2000, 2001, 2002])) == "1.00 in 2000 and 3.00 in 2002"
    )
    assert sentences.describe_path(pd.Series([5.0], index=[2000])) == "5.00 in 2000"
    assert sentences.describe_path(pd.Series([], dtype=float)) == method.NO_DATA


def test_describe_path_writes_a_true_minus_sign(t):
    """data/wgi.csv, Kazakhstan's government effectiveness: -0.493 in 2010, its inner low -0.621 in
    2013 lies below both ends, its inner high 0.143 (2022) not above the last, 0.147 in 2023."""
    ge = method.series_of(t, "ge", "Kazakhstan", "KAZ")
    assert (
        sentences.describe_path(ge, "{:+.3f}") == "\u22120.493 in 2010, a low of \u22120.621 in 2013 and +0.147 in 2023"
    )
    assert "-" not in sentences.describe_path(ge, "{:+.3f}")
    assert sentences.describe_path(pd.Series([-1.0, 2.0], index=[2000, 2001])) == "\u22121.00 in 2000 and 2.00 in 2001"


def test_egdi_levels_rise_while_ranks_fall(t, everyone):
    """Issue 12, finding 4: a rising EGDI is not a gain on the others."""
    drift = egov_survey.rank_drift(t["egov_survey"], everyone).set_index("Country")
    assert drift.loc["Turkmenistan", ["rank from", "rank to"]].tolist() == [130, 145]
    assert drift.loc["Turkmenistan", "level change"] == pytest.approx(15.31)
    assert drift.loc["Tajikistan", ["rank from", "rank to"]].tolist() == [122, 123]
    assert drift.loc["Tajikistan", "level change"] == pytest.approx(21.29)
    assert list(drift.index[drift["drift"]]) == ["Tajikistan", "Turkmenistan"]
    assert egov_survey.rank_drift_text(drift.reset_index()).startswith("Tajikistan's index rose by 21.3 points")


def test_change_helpers(own_changes, t):
    # data/freedom_house.csv, editions 2013 and 2023: Denmark 98 and 97, Kazakhstan 26 and 23,
    # Kyrgyzstan 39 and 27 (Denmark now first: no comparator is taken out).
    assert sentences.moves_text(own_changes, "fh").startswith(
        "Denmark 98 to 97, Kazakhstan 26 to 23, Kyrgyzstan 39 to 27"
    )
    assert method.change_of(own_changes, "Kazakhstan", "fh") == -3
    assert method.change_of(own_changes, "Kazakhstan", "fh", "start") == 26
    assert math.isnan(method.change_of(own_changes, "Atlantis", "fh"))
    # ge 0.147 + 0.621 = 0.768 > cc 0.931 - 0.267 = 0.664 (estimate units)
    assert sentences.largest_gain(own_changes, "Kazakhstan", ["ge", "cc"]) == "WGI government effectiveness"
    assert sentences.largest_gain(own_changes, "Uzbekistan", ["obs_t", "obs_p"]) == "none"
    shown = method.class_table(t["measure_classes"])
    assert shown.loc["OBS transparency", "Paragraphs"] == "¶8, ¶19–21, ¶36"
    assert shown.loc["WGI control of corruption", "Other reading"] == "technocratic"
    assert shown.loc["WGI government effectiveness", "Other reading"] == "not placed"
    assert shown.loc["EGDI rank", "Other reading"] == ""


def test_a_change_that_rounds_to_zero_has_no_sign_and_no_direction():
    # Denmark's voice and accountability: 1.666 (2013) -> 1.665 (2023), -0.001: shown as 0.00
    assert sentences.signed(-0.001, "{:+.2f}") == "0.00"
    assert sentences.direction(-0.001, -1.0) == "did not both move"
    assert sentences.signed(0.3, "{:+.1f} year-on-year") == "+0.3 year-on-year"


def test_signed_writes_a_true_minus_sign():
    assert sentences.signed(-2.0) == "\u22122.0"
    assert sentences.signed(2.0) == "+2.0"
    assert sentences.signed(-3.0, "{:+.0f}") == "\u22123"
    assert sentences.signed(-3.0, "{:+.1f} points") == "\u22123.0 points"
    assert sentences.signed(0.239, "{:+.2f}") == "+0.24"
    assert sentences.signed(math.nan) == method.NO_DATA and sentences.signed(None) == method.NO_DATA
    assert sentences.signed(math.nan, missing="not measured") == "not measured"


def test_text_helpers():
    assert [method.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 42, 112)] == [
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
    figs = [
        timeseries.series_figure(
            t["obs_central_asia"],
            everyone,
            "round",
            [("transparency", "T"), ("participation", "P")],
            "score",
            reference={"transparency": (61, "sufficient")},
        ),
        timeseries.series_figure(
            t["egov_survey"],
            everyone,
            "survey",
            [("egdi", "EGDI"), ("egdi_rank", "rank")],
            "",
            invert=("egdi_rank",),
        ),
        open_budget.obs_distribution_figure(t["obs_2017_countries"], everyone, t["obs_score_bands"]),
        egov_survey.epi_participation_figure(
            egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], everyone, 2010, 2025), everyone
        ),
    ]
    for fig in figs:
        assert isinstance(fig, plt.Figure)
    texts = [x.get_text() for x in figs[0].texts]
    assert any("Denmark" in x and "Uzbekistan" in x for x in texts)
    rank_axis, level_axis = figs[1].axes[1], figs[1].axes[0]
    assert rank_axis.yaxis_inverted() and not level_axis.yaxis_inverted()
    for fig in figs:
        plt.close(fig)


def test_figures_keep_everything_inside_the_canvas(t):
    """The chapter renders these figures once, as their constrained layout placed them
    (halfopen.nb.Rendered, no tight bounding box): nothing may stick out of the canvas, with
    every country of the tables shown (the longest legends) and with a selection that
    leaves a note of missing countries under the panels."""
    cases = {}
    for label, names in (("every country", None), ("one country", ["Kazakhstan"]), ("two", ["Denmark", "Tajikistan"])):
        selected = method.select_countries(t["countries"], names)
        pairs = egov_survey.pair_epi_participation(t["egov_survey"], t["obs_central_asia"], selected, 2010, 2025)
        cases[f"series, {label}"] = timeseries.series_figure(
            t["egov_survey"],
            selected,
            "survey",
            [("egdi", "EGDI"), ("osi", "OSI"), ("tii", "TII"), ("hci", "HCI"), ("epi", "EPI")],
            "index",
            step=2,
        )
        cases[f"obs 2017, {label}"] = open_budget.obs_distribution_figure(
            t["obs_2017_countries"], selected, t["obs_score_bands"]
        )
        cases[f"epi, {label}"] = egov_survey.epi_participation_figure(pairs, selected)
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
        assert fig.get_figwidth() == theme.WIDTH, f"{name}: {fig.get_figwidth()} inches wide"
        size, text = theme.smallest_text(fig)
        assert size >= theme.MIN_TEXT, f"{name}: {text!r} is {size} pt"
        plt.close(fig)


def test_series_ticks_fall_only_on_years_with_data():
    assert timeseries.survey_ticks([2006, 2008, 2010, 2012, 2015, 2017, 2019, 2021, 2023]) == [
        2006,
        2008,
        2010,
        2012,
        2015,
        2017,
        2019,
        2021,
        2023,
    ]
    thinned = timeseries.survey_ticks(list(range(2000, 2024)))
    assert len(thinned) <= 10 and 2023 in thinned and set(thinned) <= set(range(2000, 2024))


def test_a_country_far_off_the_others_scale_is_written_not_drawn(t, everyone):
    assert timeseries.off_scale({"Denmark": [97, 98], "A": [20, 25], "B": [2, 9]}) == ["Denmark"]
    assert timeseries.off_scale({"Denmark": [30, 40], "A": [20, 25], "B": [2, 9]}) == []
    fig = timeseries.series_figure(
        t["freedom_house"], everyone, "edition", [("total_score", "Aggregate")], "score", key="name"
    )
    ax = fig.axes[0]
    assert "Denmark" not in [line.get_label() for line in ax.lines]
    assert any(x.get_text().startswith("Denmark, off this scale") for x in ax.texts)
    assert ax.get_ylim()[1] < 60, "the Central Asian scores keep a scale of their own"
    ticks = {int(x) for x in ax.get_xticks()}
    assert ticks <= set(t["freedom_house"]["edition"]), "every tick is an edition"
    plt.close(fig)


# --------------------------------------------------------------------------- the two chapters' start


def test_load_study_defaults_to_the_common_window_every_country_and_the_papers_case(study, t):
    compared = method.classification(t["measure_classes"], "compared")
    assert (study.start, study.end) == study.common == method.common_window(study.tables, list(compared["measure"]))
    assert study.window_notes == []
    assert list(study.selected["name"]) == list(t["countries"]["name"])
    assert study.focal["name"] == "Kazakhstan" and study.comparator_name == "Denmark"
    assert set(method.STUDY_TABLES) == set(study.tables)


def test_load_study_narrows_the_window_and_says_so_when_asked_to_stretch_it(study):
    first, last = study.common
    narrowed = method.load_study(start_year=first + 2, end_year=last - 1)
    assert (narrowed.start, narrowed.end, narrowed.window_notes) == (first + 2, last - 1, [])
    stretched = method.load_study(start_year=first - 5)
    assert stretched.start == first
    assert stretched.setting_values()["window_note"] == (
        f"start_year {first - 5} lies before the common window; the comparison starts in {first}."
    )
    with pytest.raises(ValueError, match="unknown countries: Atlantis"):
        method.load_study(countries=["Kazakhstan", "Atlantis"])
    with pytest.raises(ValueError, match="leave no years"):
        method.load_study(start_year=last, end_year=first)


def test_the_setting_names_the_countries_and_dates_the_first_edition_by_the_year_it_describes():
    s = method.load_study(countries=["Kyrgyzstan", "Denmark"], focus="Kyrgyzstan", start_year=2016)
    v = s.setting_values()
    assert v["shown"] == "Kyrgyzstan and Denmark" and v["focus"] == "Kyrgyzstan" and v["comparator"] == "Denmark"
    assert (v["start"], v["start_covers"]) == (2016, 2015)
    assert v["window_note"] == "here they leave it whole"


def test_freedom_house_values_follow_the_window_and_the_status_changes(study):
    v = sentences.freedom_house_values(study)
    fh = study.tables["freedom_house"]
    for name in study.selected["name"]:
        a, b = freedom_house.score_on(fh, name, study.start), freedom_house.score_on(fh, name, study.end)
        assert f"{name} {a} to {b}" in v["fh_moves"], name
    assert v["status_moves"] == "Status changed too: Kyrgyzstan from partly free to not free in the 2021 edition."
    assert v["fh_rows"] == len(fh) and (v["fh_first"], v["fh_last"]) == timeseries.edition_span(fh, "edition")
    calm = method.load_study(countries=["Kazakhstan", "Denmark"])
    assert sentences.freedom_house_moves(calm)["status_moves"] == "No country shown changed its status in any edition."


def test_obs_values_give_the_2017_scores_the_paper_gives_in_para_19(study):
    """¶19: Kazakhstan's 2017 transparency 53, participation 13, oversight 63."""
    v = sentences.obs_2017_values(study)
    assert v["focus17"].startswith("53 for transparency (ranked ")
    assert "13 for participation" in v["focus17"] and v["focus17"].endswith("63 for oversight")
    assert v["obs17_n"] == len(study.tables["obs_2017_countries"])
    w = sentences.obs_values(study)
    assert w["comparator_obs"] == "Denmark is not in the survey"
    assert "Denmark" in w["obs_missing"] and "Kazakhstan" not in w["obs_missing"]
    none = sentences.obs_2017_values(method.load_study(focus="Denmark"))
    assert none["focus17"] == "no scores, since it was not surveyed"


def test_egov_and_wgi_values_follow_the_focus(study):
    e = sentences.egov_values(method.load_study(focus="Kyrgyzstan"))
    ranks = method.series_of(study.tables, "egdi_rank", "Kyrgyzstan", "KGZ")
    assert e["focus_rank_path"].startswith(f"{ranks.iloc[0]:.0f} in {ranks.index[0]}")
    assert e["n_drift"] == len(study.selected)
    w = sentences.wgi_values(study)
    assert w["focus_wgi_largest"] in {
        "voice and accountability",
        "government effectiveness",
        "rule of law",
        "control of corruption",
    }
    assert (w["wgi_first"], w["wgi_last"]) == timeseries.edition_span(study.tables["wgi"], "year")


def test_wgi_values_give_kazakhstans_changes_on_their_own_scales(study):
    """Kazakhstan over the common window 2013-2023, by hand from data/wgi.csv and
    data/freedom_house.csv."""
    w = sentences.wgi_values(study)
    assert (study.start, study.end) == (2013, 2023)
    # va -1.243 -> -1.004: -1.004 + 1.243 = +0.239 -> "+0.24" (estimate units, two decimals)
    assert w["focus_va_change"] == "+0.24"
    # Freedom House 26 -> 23: -3, whole points, a true minus sign
    assert w["focus_fh_change"] == "\u22123"
    # rl -0.716 -> -0.447: -0.447 + 0.716 = +0.269 -> "+0.27"
    assert w["focus_rl_change"] == "+0.27"
    # +0.239 and -3 have opposite signs
    assert w["va_fh_direction"] == "moved in opposite directions"
    # the largest of ge 0.768, cc 0.664, rl 0.269, va 0.239
    assert w["focus_wgi_largest"] == "government effectiveness"
    # ge: -0.493 (2010), inner low -0.621 (2013), inner high 0.143 (2022) below the last 0.147;
    # cc: -1.001 (2010), inner low -0.997 not below it, inner high -0.186 (2022) above -0.267 (2023)
    assert w["focus_ge_path"] == "\u22120.493 in 2010, a low of \u22120.621 in 2013 and +0.147 in 2023"
    assert w["focus_cc_path"] == "\u22121.001 in 2010, a high of \u22120.186 in 2022 and \u22120.267 in 2023"
    assert set(w) == {
        "wgi_first",
        "wgi_last",
        "focus_ge_path",
        "focus_cc_path",
        "focus_wgi_largest",
        "focus_va_change",
        "focus_fh_change",
        "focus_rl_change",
        "va_fh_direction",
    }
    # a one-year window (2023 to 2023): fewer than two observations, no change is measured
    narrow = sentences.wgi_values(method.load_study(start_year=2023, end_year=2023))
    assert narrow["focus_va_change"] == narrow["focus_fh_change"] == method.NO_DATA
    assert narrow["va_fh_direction"] == "cannot both be measured"


def test_source_spans_name_each_tables_years(study):
    """First and last year of each table: data/freedom_house.csv editions 2013-2025,
    data/obs_central_asia.csv rounds 2006-2023, data/egov_survey.csv surveys 2010-2024,
    data/wgi.csv years 2010-2023."""
    assert sentences.source_spans(study.tables) == (
        "Freedom House's editions of 2013 to 2025, the Open Budget Survey's rounds of 2006 to 2023, "
        "the UN E-Government Survey's editions of 2010 to 2024 and "
        "the World Bank's governance indicators for 2010 to 2023"
    )


def test_class_reasons_list_every_measure_with_its_reading_escaped(t):
    listed = method.class_reasons(t["measure_classes"]).data.splitlines()
    assert len(listed) == len(t["measure_classes"])
    # the reading of data/measure_classes.csv, row rl, begins "The paper's evidence on law is ..."
    assert listed[5].startswith("- **WGI rule of law.** The paper\\'s evidence on law")
