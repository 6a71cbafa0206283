"""Unit tests of the derivations the paper's tables rest on."""

from __future__ import annotations

import pandas as pd
import pytest

from halfopen import data, derive


@pytest.fixture(scope="module")
def thresholds():
    return data.load("freedom_status_thresholds")


@pytest.mark.parametrize(
    "pr, cl, rating, status",
    [(1, 1, 1.0, "F"), (2, 3, 2.5, "F"), (3, 3, 3.0, "PF"), (5, 5, 5.0, "PF"), (5, 6, 5.5, "NF"), (7, 7, 7.0, "NF")],
)
def test_freedom_rating_and_status_follow_table_1_notes(thresholds, pr, cl, rating, status):
    assert derive.freedom_rating(pr, cl) == rating
    assert derive.freedom_status(rating, thresholds) == status


def test_status_outside_every_band_is_an_error(thresholds):
    with pytest.raises(ValueError, match="no status band"):
        derive.freedom_status(2.75, thresholds)


def test_table_1_for_another_edition_and_unknown_edition():
    fh, th = data.load("freedom_house"), data.load("freedom_status_thresholds")
    t2025 = derive.table_1(fh, th, 2025)
    assert t2025.loc["Kyrgyzstan", "Freedom status"] == "Not free"
    with pytest.raises(ValueError, match="editions present"):
        derive.table_1(fh, th, 1990)
    with pytest.raises(ValueError, match="no rows for: Atlantis"):
        derive.table_1(fh, th, 2019, ["Kazakhstan", "Atlantis"])


def test_table_1_caption_says_whether_it_is_the_papers_table():
    assert derive.table_1_kind(2019, 2019) == "Table 1 of the paper, regenerated"
    assert derive.table_1_caption(2019, 2019) == (
        "Open government indicators, Central Asia (2019): Table 1 of the paper, regenerated"
    )
    other = derive.table_1_caption(2025, 2019)
    assert other.startswith("Open government indicators, Central Asia (2025): ")
    assert "filled from Freedom House's 2025 edition" in other
    assert other.endswith("not the paper's table, which is from the 2019 edition")
    assert "regenerated" not in other
    chosen = derive.table_1_kind(2019, 2019, ["Kazakhstan", "Denmark"])
    assert chosen.startswith("Table 1's layout for the countries chosen, filled from Freedom House's 2019 edition")
    assert chosen.endswith("not the paper's table")
    assert "for the countries chosen" in derive.table_1_kind(2025, 2019, ["Kazakhstan"])


def test_obs_bands_and_threshold():
    bands = data.load("obs_score_bands")
    assert derive.obs_threshold(bands, "transparency") == 61
    assert derive.obs_band(52.74, "transparency", bands) == "limited"
    assert derive.obs_band(60.5, "transparency", bands) == "substantial"  # rounds to 61
    assert derive.obs_band(12.89, "participation", bands) == "few"
    assert derive.obs_band(62.94, "oversight", bands) == "adequate"


def test_round_half_up_is_not_bankers_rounding():
    assert derive.round_half_up(52.5) == 53
    assert derive.round_half_up(12.5) == 13
    assert round(12.5) == 12  # what Python would print


def test_total_ignores_missing_counts():
    assert derive.total(pd.Series([35, 12, None, 8], dtype="Int64")) == 55


def test_matland_cell():
    matrix = data.load("matland_matrix")
    assert derive.matland_cell(matrix, "high", "high") == "Symbolic Implementation"
    assert derive.matland_cell(matrix, "low", "high") == "Political Implementation"
