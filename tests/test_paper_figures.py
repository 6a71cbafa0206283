"""Unit tests of halfopen.paper_figures (the counts the paper states) and of the Open Budget scores of
chapter 6 (halfopen.open_budget)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from halfopen import data, open_budget, paper_figures

BOTH = ["access_to_information", "freedom_of_the_press"]


@pytest.fixture(scope="module")
def obs_tables():
    return {n: data.load(n) for n in ("obs_central_asia", "obs_score_bands", "countries", "published_values")}


def _row(value, qualifier):
    return pd.Series({"value": value, "qualifier": qualifier})


# --------------------------------------------------------------------------- stated counts


@pytest.mark.parametrize(
    "value, qualifier, text",
    [(30000, "more than", "more than 30,000"), (8300, "exactly", "8,300"), (415, "exactly", "415")],
)
def test_count_text_keeps_the_qualifier(value, qualifier, text):
    assert paper_figures.count_text(value, qualifier) == text


def test_count_text_refuses_unknown_qualifier():
    with pytest.raises(ValueError, match="unknown qualifier"):
        paper_figures.count_text(5, "about")


def test_stated_reads_the_papers_ngo_counts(figures):
    assert paper_figures.stated(figures, "ngos_at_height") == "more than 30,000"
    assert paper_figures.stated(figures, "ngos_registered") == "18,000"
    assert paper_figures.stated(figures, "ngos_active") == "8,300"
    assert paper_figures.stated(figures, "gdp_per_capita") == "8,800"  # a figure stated exactly
    with pytest.raises(KeyError, match="no row with key 'nope'"):
        paper_figures.stated(figures, "nope")


def test_figures_table_shows_counts_as_stated_and_adds_nothing(figures):
    keys = ["ngos_at_height", "ngos_registered", "ngos_active"]
    table = paper_figures.figures_table(figures, keys)
    assert list(table["Count as stated"]) == ["more than 30,000", "18,000", "8,300"]
    assert len(table) == 3
    assert "Out of" not in table.columns  # no count here is a part of a stated total
    akimats = paper_figures.figures_table(figures, ["akimats_no_2015_accounts"])
    assert akimats.loc[0, "Out of"] == "16"


@pytest.mark.parametrize(
    "top, bottom, expected",
    [("exactly", "exactly", "exactly"), ("exactly", "more than", "less than"), ("more than", "exactly", "more than")],
)
def test_bounded_ratio_direction(top, bottom, expected):
    value, qualifier = paper_figures.bounded_ratio(_row(415, top), _row(15000, bottom))
    assert value == pytest.approx(415 / 15000)
    assert qualifier == expected


def test_bounded_ratio_of_two_lower_bounds_is_refused():
    with pytest.raises(ValueError, match="no bound"):
        paper_figures.bounded_ratio(_row(1, "more than"), _row(2, "more than"))


@pytest.mark.parametrize(
    "value, qualifier, digits, scale, text",
    [
        (415 / 15000, "less than", 1, 100, "less than 2.8"),  # 2.77 rounded up keeps "less than" true
        (15000 / 415, "more than", 0, 1, "more than 36"),  # 36.14 rounded down keeps "more than" true
        (8300 / 30000, "less than", 0, 100, "less than 28"),
        (0.125, "exactly", 2, 1, "0.13"),  # half up, not to even
        (2.0, "less than", 0, 1, "less than 2"),  # an exact bound is not pushed further
    ],
)
def test_bound_text_rounds_toward_a_true_bound(value, qualifier, digits, scale, text):
    assert paper_figures.bound_text(value, qualifier, digits, scale) == text


# --------------------------------------------------------------------------- Open Budget Survey


def _scores(t, obs_round=2017, names=("Kazakhstan",)):
    return open_budget.obs_scores(
        t["obs_central_asia"], t["obs_score_bands"], t["countries"], obs_round, list(names), t["published_values"]
    )


def test_obs_scores_keep_the_sources_score_and_say_which_reach_the_threshold(obs_tables):
    """The rounded scores and bands against the paper's: tests/test_fidelity.py."""
    scores = _scores(obs_tables).set_index("Measure")
    assert list(scores["Sufficient"]) == [False, False, True]
    assert scores.loc["transparency", "Score"] == pytest.approx(52.74)


def test_obs_other_round_has_no_paper_values_and_keeps_gaps(obs_tables):
    scores = _scores(obs_tables, 2012, ("Kazakhstan", "Tajikistan"))
    assert (scores["Paper"] == "").all()
    oversight = scores[scores["Measure"] == "oversight"]
    assert oversight["Rounded"].isna().all() and (oversight["Band"] == "").all()
    table = open_budget.obs_table(scores)
    assert "Paper: score" not in table.columns and "Country" in table.columns
    assert open_budget.paper_agreement(scores) == (0, 0)


def test_obs_unknown_round_and_country_are_refused(obs_tables):
    with pytest.raises(ValueError, match="rounds present"):
        _scores(obs_tables, 2016)
    with pytest.raises(ValueError, match="unknown countries: Atlantis"):
        _scores(obs_tables, 2017, ("Atlantis",))
    with pytest.raises(ValueError, match="no scores for Denmark"):
        _scores(obs_tables, 2017, ("Denmark",))


def test_obs_table_for_one_country(obs_tables):
    table = open_budget.obs_table(_scores(obs_tables))
    assert "Country" not in table.columns
    assert list(table["Sufficient (61+)"]) == ["no", "no", "yes"]
    assert list(table["Paper: score"]) == ["53", "13", "63"]


def test_obs_figure_draws_threshold_and_band_names(obs_tables):
    bands = obs_tables["obs_score_bands"]
    fig = open_budget.obs_figure(_scores(obs_tables), bands, 2017)
    assert len(fig.axes) == 3
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "substantial" in texts and "53 (limited)" in texts
    assert "sufficient from 61" in fig.axes[-1].get_xlabel()
    from halfopen import theme

    assert fig.get_figwidth() == theme.WIDTH and theme.smallest_text(fig)[0] >= theme.MIN_TEXT
    plt.close(fig)


def test_obs_summary_for_prose(obs_tables):
    summary = open_budget.obs_summary(_scores(obs_tables), "Kazakhstan")
    assert summary["obs_transparency"] == 53 and summary["obs_transparency_raw"] == "52.74"
    assert summary["obs_participation_band"] == "few"
    assert summary["obs_sufficient"] == "only budget oversight reaches it"
    earlier = open_budget.obs_summary(_scores(obs_tables, 2012), "Kazakhstan")
    assert earlier["obs_oversight"] == "no score" and earlier["obs_sufficient"] == "none of the scores reaches it"
    kgz = open_budget.obs_summary(_scores(obs_tables, 2019, ("Kyrgyzstan",)), "Kyrgyzstan")
    assert kgz["obs_sufficient"] == "transparency and budget oversight reach it"
    with pytest.raises(ValueError, match="no scores for Tajikistan"):
        open_budget.obs_summary(_scores(obs_tables), "Tajikistan")
