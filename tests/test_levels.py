"""Unit tests of halfopen.levels (levels beside changes): real tables, fast, no kernels."""

from __future__ import annotations

import dataclasses
import io

import matplotlib

matplotlib.use("Agg")

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from halfopen import levels, method, open_budget, paths, theme


@pytest.fixture(scope="module")
def frame(study) -> pd.DataFrame:
    return levels.levels(study)


@pytest.fixture(scope="module")
def table(study) -> pd.DataFrame:
    return levels.latest_levels_table(study)


@pytest.fixture(scope="module")
def figure(study):
    theme.apply()
    fig = levels.levels_figure(study)
    yield fig
    plt.close(fig)


def value(frame: pd.DataFrame, country: str, key: str, year: int) -> pd.Series:
    hit = frame[(frame["Country"] == country) & (frame["measure"] == key) & (frame["Year"] == year)]
    assert len(hit) == 1, f"{len(hit)} rows for {country}, {key}, {year}"
    return hit.iloc[0]


def row(table: pd.DataFrame, start: str) -> str:
    hits = [r for r in table.index if r.startswith(start)]
    assert len(hits) == 1, (start, list(table.index))
    return hits[0]


def empty(text) -> bool:
    return isinstance(text, float) and math.isnan(text)


def without(study: method.Study, name: str, keep) -> method.Study:
    """``study`` with only the rows of table ``name`` that ``keep`` (a function of the table) selects."""
    table = study.tables[name]
    return dataclasses.replace(study, tables={**study.tables, name: table[keep(table)]})


# --------------------------------------------------------------------------- values worked out by hand


def test_kazakhstan_egdi_rank_2022_by_hand(frame, table):
    # data/egov_survey.csv, row "KAZ,2022,28,0.8628,...": rank 28; surveys since 2012 rank the 193 UN members.
    row = value(frame, "Kazakhstan", "egdi_rank", 2022)
    assert row["Value"] == 28
    assert row["Reference"] == "rank among 193 states surveyed"
    # the window ends in 2023 and the survey is biennial, so the table reads the 2022 survey; the row
    # says "of 193", the cell only "28th"
    assert table.at["EGDI rank of 193, 2022", "KAZ"] == "28th"
    # row "KAZ,2010,46,...": the 2010 survey ranked 192 states (South Sudan joined the UN in 2011)
    assert value(frame, "Kazakhstan", "egdi_rank", 2010)["Reference"] == "rank among 192 states surveyed"


def test_kazakhstan_freedom_rating_2025_by_hand(frame):
    # data/freedom_house.csv, row "Kazakhstan,2025,NF,7,5,...": rating (7 + 5) / 2 = 6.0, and
    # data/freedom_status_thresholds.csv puts 6.0 in "NF,Not free,5.5,7.0".
    row = value(frame, "Kazakhstan", "fh_rating", 2025)
    assert row["Value"] == 6.0
    assert row["Reference"] == "not free band (5.5–7.0)"
    # row "Kyrgyzstan,2013,PF,5,5,...": (5 + 5) / 2 = 5.0, the top edge of "PF,Partly free,3.0,5.0"
    assert value(frame, "Kyrgyzstan", "fh_rating", 2013)["Reference"] == "partly free band (3.0–5.0)"
    # row "Denmark,2013,F,1,1,...": (1 + 1) / 2 = 1.0, in "F,Free,1.0,2.5"
    assert value(frame, "Denmark", "fh_rating", 2013)["Value"] == 1.0


def test_table_layout_fits_a_phone(table):
    # rows: the measures in SHOWN order, each with its reference and year. The references by hand:
    # data/egov_survey.csv's 2022 survey ranks the 193 UN members; WGI estimates have world mean 0;
    # data/obs_2017_countries.csv has 115 countries, transparency summing to 4813.14 (mean 41.85, 42)
    # and participation to 1402.85 (mean 12.20, 12); data/obs_score_bands.csv's lowest sufficient
    # bands start at 61 ("transparency,substantial,61", "participation,adequate,61");
    # data/freedom_status_thresholds.csv runs from "F,Free,1.0" to "NF,Not free,...,7.0"
    assert list(table.index) == [
        "EGDI rank of 193, 2022",
        "Effectiveness (world mean 0), 2023",
        "Corruption control (world mean 0), 2023",
        "Voice and accountability (world mean 0), 2023",
        "Transparency (2017 mean 42; sufficient 61), 2023",
        "Participation (2017 mean 12; sufficient 61), 2023",
        "Freedom rating (1–7), 2023 edition",
    ]
    # columns: the countries shown, by ISO3 code, the comparator among them in countries() order
    assert list(table.columns) == ["DNK", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
    cells = [c for c in table.to_numpy().ravel() if not empty(c)]
    # the widest cells are "6.0 NF" and "\u22120.27": six characters
    assert max(len(c) for c in cells) == 6


def test_table_cells_by_hand(table):
    # data/wgi.csv, row "KAZ,2023,-1.004,0.147,-0.447,-0.267" (va, ge, rl, cc): 2023 is the window's end
    assert table.at["Corruption control (world mean 0), 2023", "KAZ"] == "\u22120.27"
    assert table.at["Effectiveness (world mean 0), 2023", "KAZ"] == "0.15"
    assert table.at["Voice and accountability (world mean 0), 2023", "KAZ"] == "\u22121.00"
    # "DNK,2023,1.665,2.016,1.909,2.376": the comparator's own level, 2.376 -> 2.38, nothing subtracted
    assert table.at["Corruption control (world mean 0), 2023", "DNK"] == "2.38"
    # data/freedom_house.csv, "Kazakhstan,2023,NF,7,5,...": (7 + 5) / 2 = 6.0, status code NF
    assert table.at["Freedom rating (1–7), 2023 edition", "KAZ"] == "6.0 NF"
    # "Denmark,2023,F,1,1,...": (1 + 1) / 2 = 1.0, F
    assert table.at["Freedom rating (1–7), 2023 edition", "DNK"] == "1.0 F"
    # data/obs_central_asia.csv, "KAZ,2023,62.66,11.06,...": 62.66 rounds (half up) to 63, 11.06 to 11
    assert table.at[row(table, "Transparency"), "KAZ"] == "63"
    assert table.at[row(table, "Participation"), "KAZ"] == "11"
    # "KGZ,2023,61.11,35.22,...": 61 and 35
    assert table.at[row(table, "Transparency"), "KGZ"] == "61"
    assert table.at[row(table, "Participation"), "KGZ"] == "35"
    cells = [c for c in table.to_numpy().ravel() if not empty(c)]
    assert "-" not in "".join(cells), "a hyphen where a minus sign belongs"


def test_a_value_from_an_earlier_year_names_it(study):
    # data/egov_survey.csv without "KAZ,2022,28,...": Kazakhstan's last survey by 2023 is "KAZ,2020,29,..."
    cut = without(study, "egov_survey", lambda t: ~((t["iso3"] == "KAZ") & (t["survey"] == 2022)))
    table = levels.latest_levels_table(cut)
    assert table.at["EGDI rank of 193, 2022", "KAZ"] == "29th (2020)"
    assert table.at["EGDI rank of 193, 2022", "KGZ"] == "81st"  # "KGZ,2022,81,...": the row's year
    # without every Kazakh survey after 2010: "KAZ,2010,46,...", a survey of 192 states, not the row's 193
    cut = without(study, "egov_survey", lambda t: ~((t["iso3"] == "KAZ") & (t["survey"] > 2010)))
    assert levels.latest_levels_table(cut).at["EGDI rank of 193, 2022", "KAZ"] == "46th of 192 (2010)"


def test_the_long_cell_text_is_kept_for_the_prose(study):
    # level_values reads levels.cell: data/egov_survey.csv "KAZ,2022,28,...", the 2022 survey ranks 193
    assert levels.cell(study, "egdi_rank", 2022, 28.0) == "28th of 193"
    assert levels.cell(study, "cc", 2023, -0.267) == "\u22120.27 (below world mean)"
    prose = levels.level_values(study)["focus_levels"]
    assert "ranked 28th of 193 states on the E-Government Survey in 2022" in prose
    assert "freedom rating of 6.0, not free, in the 2023 edition" in prose


def test_obs_reference_is_the_2017_round_and_the_threshold(study, frame):
    mean = open_budget.obs_global_means(study.tables["obs_2017_countries"])["transparency"]
    ref = value(frame, "Kazakhstan", "obs_t", 2017)["Reference"]
    # data/obs_score_bands.csv: "transparency,substantial,61,80,true" is the lowest sufficient band
    assert ref == f"2017 global mean {mean:.2f}; sufficient from 61"
    assert 0 < mean < 100


# --------------------------------------------------------------------------- the comparator is never subtracted


@pytest.mark.parametrize(
    ("key", "table_name", "code", "year_column", "column_name"),
    [
        ("ge", "wgi", "iso3", "year", "ge"),
        ("va", "wgi", "iso3", "year", "va"),
        ("egdi_rank", "egov_survey", "iso3", "survey", "egdi_rank"),
    ],
)
def test_levels_equal_the_raw_csv_values(study, frame, key, table_name, code, year_column, column_name):
    raw = pd.read_csv(paths.DATA_DIR / f"{table_name}.csv")
    names = dict(zip(study.tables["countries"]["iso3"], study.tables["countries"]["name"]))
    ours = frame[frame["measure"] == key]
    assert len(ours) == raw[column_name].notna().sum()
    for r in raw.itertuples(index=False):
        row = value(frame, names[getattr(r, code)], key, int(getattr(r, year_column)))
        assert row["Value"] == pytest.approx(float(getattr(r, column_name)), abs=1e-12)


def test_denmark_is_shown_as_it_is(frame):
    # data/wgi.csv, "DNK,2023,1.665,2.016,1.909,2.376": Denmark's own level, not 0 and not a difference
    assert value(frame, "Denmark", "ge", 2023)["Value"] == pytest.approx(2.016)
    assert value(frame, "Denmark", "cc", 2023)["Value"] == pytest.approx(2.376)


def test_the_comparator_is_shown_even_when_not_selected():
    study = method.load_study(countries=["Kazakhstan", "Turkmenistan"])
    assert list(levels.countries(study)["name"]) == ["Kazakhstan", "Turkmenistan", "Denmark"]
    assert "Denmark" in set(levels.levels(study)["Country"])


# --------------------------------------------------------------------------- missing countries are named


def test_countries_without_obs_rows_are_named(study, frame, table):
    # data/obs_central_asia.csv has rows only for KAZ, KGZ and TJK
    assert frame.attrs["missing"]["obs_t"] == ["Denmark", "Turkmenistan", "Uzbekistan"]
    assert "Denmark, Turkmenistan and Uzbekistan are not in the Open Budget Survey." in levels.missing_text(study)
    assert not set(frame.loc[frame["measure"].isin(["obs_t", "obs_p"]), "Country"]) & {"Denmark", "Turkmenistan"}
    # the table leaves their cells empty (shown "–") and names them
    for key, start in (("obs_t", "Transparency"), ("obs_p", "Participation")):
        assert [iso3 for iso3 in table.columns if empty(table.at[row(table, start), iso3])] == ["DNK", "TKM", "UZB"]
        assert table.attrs["missing"][key] == ["Denmark", "Turkmenistan", "Uzbekistan"]
    assert table.attrs["missing"]["ge"] == []


def test_a_country_dropped_from_a_table_is_named(study):
    wgi = study.tables["wgi"]
    cut = dataclasses.replace(study, tables={**study.tables, "wgi": wgi[wgi["iso3"] != "UZB"]})
    assert levels.missing(cut)["ge"] == ["Uzbekistan"]
    assert "Uzbekistan is not in the Worldwide Governance Indicators." in levels.missing_text(cut)
    table = levels.latest_levels_table(cut)
    assert empty(table.at["Corruption control (world mean 0), 2023", "UZB"])
    assert table.attrs["missing"]["cc"] == ["Uzbekistan"]


def test_a_measure_missing_within_a_source_is_named(study):
    obs = study.tables["obs_central_asia"].copy()
    obs.loc[obs["iso3"] == "KGZ", "participation"] = float("nan")
    cut = dataclasses.replace(study, tables={**study.tables, "obs_central_asia": obs})
    assert "Kyrgyzstan has no OBS participation values." in levels.missing_text(cut)
    assert "Kyrgyzstan" not in levels.missing(cut)["obs_t"]


def test_the_table_reads_the_window_end():
    study = method.load_study(end_year=2019)
    table = levels.latest_levels_table(study)
    # data/egov_survey.csv "KAZ,2018,39,...": the last survey at or before 2019
    assert table.at["EGDI rank of 193, 2018", "KAZ"] == "39th"
    # data/wgi.csv "KAZ,2019,-1.229,0.069,...": ge 0.069 -> 0.07
    assert table.at["Effectiveness (world mean 0), 2019", "KAZ"] == "0.07"
    # data/freedom_house.csv "Kyrgyzstan,2019,PF,5,4,...": (5 + 4) / 2 = 4.5, PF
    assert table.at["Freedom rating (1–7), 2019 edition", "KGZ"] == "4.5 PF"
    assert list(table.columns) == list(levels.countries(study)["iso3"])


# --------------------------------------------------------------------------- the figure


def test_figure_has_one_panel_per_measure(figure):
    assert len(figure.axes) == len(levels.SHOWN)
    assert figure.get_suptitle() == "" and all(not ax.get_title(loc="center") for ax in figure.axes)
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert titles[0].startswith("EGDI rank") and titles[-1].startswith("Freedom House freedom rating")


def test_figure_draws_denmark(figure):
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "Denmark (reference)" in legend and legend.count("Denmark (reference)") == 1
    egdi = {line.get_label(): line for line in figure.axes[0].get_lines()}
    # data/egov_survey.csv: Denmark ranked 7 in 2010, 1 in 2022
    ranks = dict(zip(egdi["Denmark"].get_xdata(), egdi["Denmark"].get_ydata()))
    assert ranks[2010] == 7 and ranks[2022] == 1
    assert egdi["Denmark"].get_linestyle() == "--"
    assert egdi["Kazakhstan"].get_linestyle() == "-"


def test_denmark_does_not_squeeze_the_wgi_panels(figure, frame):
    for key in ("ge", "cc", "va"):
        ax = figure.axes[levels.SHOWN.index(key)]
        low, high = ax.get_ylim()
        others = frame[(frame["measure"] == key) & (frame["Country"] != "Denmark")]["Value"]
        denmark = frame[(frame["measure"] == key) & (frame["Country"] == "Denmark")]["Value"]
        assert low < min(others.min(), 0) and max(others.max(), 0) < high
        assert high < denmark.min(), "Denmark's values would squeeze the others"
        notes = [t.get_text() for t in ax.texts if "Denmark (reference)" in t.get_text()]
        assert len(notes) == 1 and "above this scale" in notes[0]
        assert "Denmark" not in [line.get_label() for line in ax.get_lines()]


def test_a_comparator_on_the_scale_is_drawn():
    study = method.load_study(countries=["Kazakhstan", "Kyrgyzstan", "Tajikistan"], comparator="Kyrgyzstan")
    fig = levels.levels_figure(study)
    ax = fig.axes[levels.SHOWN.index("ge")]
    assert "Kyrgyzstan" in [line.get_label() for line in ax.get_lines()]
    assert not [t for t in ax.texts if "this scale" in t.get_text()]
    plt.close(fig)


def test_figure_references_and_notes(figure):
    axes = dict(zip(levels.SHOWN, figure.axes))
    for key in ("egdi_rank", "fh_rating"):
        assert axes[key].yaxis_inverted(), key
    for key in ("obs_t", "obs_p"):
        assert "Denmark" in axes[key].get_xlabel()
        assert any(t.get_text().startswith("2017 global mean") for t in axes[key].texts)
        assert any(t.get_text() == "sufficient from 61" for t in axes[key].texts)
    fh_texts = {t.get_text() for t in axes["fh_rating"].texts}
    assert {"Free", "Partly free", "Not free"} <= fh_texts
    assert any(t.get_text() == "world mean" for t in axes["ge"].texts)


def test_participation_marks_the_2017_redesign(figure):
    # method.COMPARABLE_FROM["obs_p"] is 2017: a dashed line half-way before it, 2017 - 0.5 = 2016.5
    axes = dict(zip(levels.SHOWN, figure.axes))

    def breaks(ax):
        return [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [2016.5, 2016.5] and ln.get_linestyle() == "--"]

    assert len(breaks(axes["obs_p"])) == 1
    assert [t.get_text() for t in axes["obs_p"].texts].count("questions redesigned") == 1
    for key in set(levels.SHOWN) - {"obs_p"}:  # the other series are comparable throughout
        assert not breaks(axes[key]), key
        assert "questions redesigned" not in [t.get_text() for t in axes[key].texts], key


@pytest.mark.parametrize("key", ["obs_t", "obs_p"])
def test_obs_labels_do_not_overlap(figure, key):
    ax = dict(zip(levels.SHOWN, figure.axes))[key]
    figure.canvas.draw()
    boxes = [(t.get_text(), t.get_window_extent()) for t in ax.texts]
    assert len(boxes) == (3 if key == "obs_p" else 2)
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    if key == "obs_p":  # the redesign line runs to the top of the panel: no label may cross it
        (line,) = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [2016.5, 2016.5]]
        x = ax.transData.transform((line.get_xdata()[0], 0))[0]
        for text, box in boxes:
            assert not box.x0 < x < box.x1, text


def test_equal_freedom_ratings_are_drawn_a_little_apart(study, frame, figure):
    ratings = frame[frame["measure"] == "fh_rating"]
    others = ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
    # data/freedom_house.csv, same rating in the same year: Kazakhstan and Kyrgyzstan 6.0 (2021-2025),
    # Turkmenistan and Uzbekistan 7.0 (2013-2018), Tajikistan and Uzbekistan 6.5 (2019-2022),
    # Tajikistan and Turkmenistan 7.0 (2023-2025). In that order, slots 0, +1, -1: Kazakhstan 0,
    # Kyrgyzstan +1 (ties Kazakhstan), Tajikistan 0, Turkmenistan +1 (ties Tajikistan), Uzbekistan -1
    # (ties both); the farthest slot is 1, so one slot is FH_SHIFT = 0.12.
    assert levels.rating_shifts(ratings, others) == {
        "Kazakhstan": 0.0,
        "Kyrgyzstan": 0.12,
        "Tajikistan": 0.0,
        "Turkmenistan": 0.12,
        "Uzbekistan": -0.12,
    }
    # countries that never share a rating are not moved
    assert levels.rating_shifts(ratings, ["Denmark", "Kazakhstan"]) == {"Denmark": 0.0, "Kazakhstan": 0.0}
    lines = {ln.get_label(): ln for ln in dict(zip(levels.SHOWN, figure.axes))["fh_rating"].get_lines()}
    drawn = dict(zip(lines["Kyrgyzstan"].get_xdata(), lines["Kyrgyzstan"].get_ydata()))
    # "Kyrgyzstan,2023,NF,7,5,...": (7 + 5) / 2 = 6.0, drawn at 6.0 + 0.12; Denmark's 1.0 stays at 1.0
    assert drawn[2023] == pytest.approx(6.12)
    assert set(lines["Denmark"].get_ydata()) == {1.0}
    assert levels.FH_SHIFT == 0.12 and "0.12 rating points" in levels.levels_figure.__doc__


def test_figure_is_legible_and_deterministic(study, figure):
    assert theme.smallest_text(figure)[0] >= theme.MIN_TEXT
    assert figure.get_size_inches()[0] == pytest.approx(theme.WIDTH)
    images = []
    for _ in range(2):  # two fresh figures from the same data: the same bytes
        fig, out = levels.levels_figure(study), io.BytesIO()
        fig.savefig(out, format="png", dpi=60)
        plt.close(fig)
        images.append(out.getvalue())
    assert images[0] == images[1]
