"""Fidelity: what the book regenerates equals what the paper published, value by value."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from halfopen import data, derive, open_budget, report

#: Table 1 of the paper (O'Connor, Janenova & Knox 2019; Freedom House 2019) as printed, row by
#: row: country, freedom status, political rights, civil liberties, freedom rating, aggregate
#: score. data/published_table_1.csv transcribes it for the report and the book's page
#: (tests/test_book.py) is checked against that file. (The paper stars Denmark, shown for
#: comparison only; the page's test checks the star.)
PAPER_TABLE_1 = [
    ["Denmark", "Free", "1", "1", "1.0", "97"],
    ["Kazakhstan", "Not free", "7", "5", "6.0", "22"],
    ["Kyrgyzstan", "Partly free", "5", "4", "4.5", "38"],
    ["Tajikistan", "Not free", "7", "6", "6.5", "9"],
    ["Turkmenistan", "Not free", "7", "7", "7.0", "2"],
    ["Uzbekistan", "Not free", "7", "6", "6.5", "9"],
]


@pytest.fixture(scope="module")
def table_1() -> pd.DataFrame:
    return derive.table_1(data.load("freedom_house"), data.load("freedom_status_thresholds"), 2019)


def test_table_1_is_regenerated_row_by_row_and_cell_by_cell(table_1):
    """data/published_table_1.csv is the paper's Table 1; the book's table has its rows in its
    order and its columns, and all 30 cells equal the published ones."""
    path = data.paths.data_dir() / data.resource("published_table_1")["path"]
    with path.open(encoding="utf-8", newline="") as f:
        transcribed = list(csv.reader(f))[1:]
    assert transcribed == PAPER_TABLE_1, "data/published_table_1.csv is not the paper's Table 1"
    published = data.load("published_table_1")
    assert list(table_1.index) == list(published["country"])
    assert list(table_1.columns) == derive.TABLE_1_COLUMNS
    check = report.compare_table_1(table_1, published)
    assert len(check) == 30
    bad = check[~check["match"]]
    assert bad.empty, "Table 1 cells differ: " + "; ".join(
        f"{r.what}: published {r.published!r}, book {r.book!r}" for r in bad.itertuples()
    )


def test_derived_status_agrees_with_freedom_house_s_own_status_in_every_edition():
    fh = data.load("freedom_house")
    thresholds = data.load("freedom_status_thresholds")
    for r in fh.itertuples():
        rating = derive.freedom_rating(r.pr_rating, r.cl_rating)
        assert derive.freedom_status(rating, thresholds) == r.status, f"{r.country} {r.edition}"


def test_obs_2017_kazakhstan_rounds_to_the_papers_scores_and_bands():
    """¶19: Kazakhstan's Open Budget Survey 2017 scores, rounded half up as the survey prints
    them and banded, as chapter 6 computes them (``open_budget.obs_scores``), are the paper's."""
    tables = {n: data.load(n) for n in ("obs_central_asia", "obs_score_bands", "countries", "published_values")}
    scores = open_budget.obs_scores(
        tables["obs_central_asia"],
        tables["obs_score_bands"],
        tables["countries"],
        2017,
        ["Kazakhstan"],
        tables["published_values"],
    )
    assert list(scores["Measure"]) == ["transparency", "participation", "oversight"]
    assert list(scores["Rounded"]) == [53, 13, 63], "OBS 2017 KAZ does not round to the paper's scores (¶19)"
    assert list(scores["Band"]) == ["limited", "few", "adequate"], "OBS 2017 KAZ: not the paper's bands (¶19)"
    assert open_budget.paper_agreement(scores) == (6, 6)


def test_obs_2017_tables_agree_on_the_central_asian_countries():
    ca = data.load("obs_central_asia")
    world = data.load("obs_2017_countries").set_index("iso3")
    for r in ca[ca["round"] == 2017].itertuples():
        for m in ("transparency", "participation", "oversight"):
            assert world.loc[r.iso3, m] == getattr(r, m), f"{r.iso3} {m} differs between the two OBS tables"


def test_every_row_of_the_reproduction_report_matches():
    rep = report.reproduction()
    assert len(rep) >= 30 + len(data.load("published_values"))
    assert not report.mismatches(rep), "\n".join(report.mismatches(rep))


def test_a_changed_value_is_named_by_the_report_and_its_table_1_grid(tmp_path):
    """The report can fail: edit a copy of the data and the differing value is named, in the
    list of mismatches and in Table 1's grid."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(data.paths.DATA_DIR, copy)
    path = copy / "freedom_house.csv"
    text = path.read_text().replace("Kazakhstan,2019,NF,7,5,5,17,22", "Kazakhstan,2019,NF,7,5,5,18,23")
    path.write_text(text)
    changed = report.reproduction(copy)
    assert report.mismatches(changed) == ["table_1.Kazakhstan.aggregate_score: published 22, book 23 (Table 1)"]
    assert report.table_1_grid(changed).loc["Kazakhstan", "Aggregate score"] == "book 23, paper 22"


def test_the_report_opens_with_one_line_per_artefact_of_the_paper():
    summary = report.summary(report.reproduction())
    lines = dict(zip(summary["The paper's"], summary["Result"]))
    assert lines == {
        "Table 1": "30 of 30 match",
        "Table 1, in the text": "2 of 2 match",
        "Table 2": "not numeric",
        "Table 3": "1 of 1 match",
        "Figure 1": "not numeric",
        "Open Budget Survey 2017": "8 of 8 match",
    }, lines
    assert set(summary["where"]) <= {
        "tbl-table-1",
        "tbl-table-2",
        "tbl-table-3",
        "fig-half-open-government",
        "tbl-inclusive-obs-scores",
    }


def test_table_1_is_checked_as_a_six_by_five_grid():
    grid = report.table_1_grid(report.reproduction())
    assert grid.shape == (6, 5) and list(grid.columns) == derive.TABLE_1_COLUMNS
    assert grid.loc["Kazakhstan", "Aggregate score"] == "22"


def test_values_from_another_source_than_the_paper_say_so():
    others = report.other_values(report.reproduction())
    marked = others[others["Published in"].str.endswith("(not the paper)")]
    assert sorted(marked["Value"]) == [
        "OBS 2017: mean participation of the 115 countries",
        "OBS 2017: mean transparency of the 115 countries",
    ]
    assert (others["Match"] == "yes").all()
    # the means are computed over the 115 countries in chapter 13's figure, not in Table 6's scores
    assert set(marked["where"]) == {"fig-half-open-obs-2017"}
    assert report.where("obs_2017.KAZ.transparency") == "tbl-inclusive-obs-scores"
    assert report.where("nothing.known") == "ch-reproduction-report"


def test_the_reports_verdict_names_each_value_that_differs():
    from halfopen import report

    rep = report.reproduction()
    assert report.verdict(rep).startswith(f"The book regenerates all {len(rep)} values"), report.verdict(rep)
    wrong = rep.copy()
    wrong.loc[wrong.index[0], "match"] = False
    text = report.verdict(wrong)
    assert text.startswith(f"Of the {len(rep)} values published, 1 differs") and str(wrong.iloc[0]["item"]) in text, (
        text
    )
