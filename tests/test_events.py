"""Unit tests of halfopen.events: the paper's dated events, found, listed and drawn in one place."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from halfopen import events as ev
from halfopen import theme

BOTH = ["access_to_information", "freedom_of_the_press"]


def test_events_for_sorts_and_puts_year_only_dates_last_in_their_year(events):
    chosen = ev.events_for(events, BOTH)
    assert list(chosen["date_text"]) == ["16 November 2015", "December 2017", "January 2018", "spring 2018"]
    assert len(ev.events_for(events)) == len(events), "None: every section"
    with pytest.raises(ValueError, match="unknown sections"):
        ev.events_for(events, ["nowhere"])
    with pytest.raises(ValueError, match="sections present"):
        ev.events_for(events[events["section"] == "case_selection"], ["freedom_of_the_press"])


def test_events_table_drops_the_section_when_it_is_always_the_same(events):
    one = ev.events_table(events, ["freedom_of_the_press"])
    assert list(one.columns) == ["Date (as the paper gives it)", "Kind", "Event", "¶"]
    assert list(one["¶"]) == [25, 27, 26]
    assert list(one["Kind"]) == ["Law", "Law", "Event"]
    two = ev.events_table(events, BOTH)
    assert list(two.columns) == ["Date (as the paper gives it)", "Section", "Kind", "Event", "¶"]
    assert list(two["Section"]) == ["Access to information"] + ["Freedom of the press"] * 3


def test_event_date_finds_one_event_in_a_section_or_anywhere(events):
    assert ev.event_date(events, "Mass Media", "freedom_of_the_press") == "December 2017"
    assert ev.event_date(events, "citizen registration", "more_inclusive_decision_making") == "January 2017"
    assert ev.event_date(events, "World Trade Organization") == "2015"
    assert ev.event_date(events, "Security Council") == "2017-18"
    assert ev.event(events, "ETHICS CODE", "anti_corruption_measures")["paragraph"] == 31
    with pytest.raises(KeyError, match="0 events of 'freedom_of_the_press' mention 'no such thing'"):
        ev.event_date(events, "no such thing", "freedom_of_the_press")
    with pytest.raises(KeyError, match="expected exactly one"):
        ev.event_date(events, "Kazakhstan")


def test_mentions_spans_sections_and_reconciles_nothing():
    frame = pd.DataFrame(
        {
            "year": [2017, 2016, 2015],
            "month": [1, 12, None],
            "end_year": [None, None, None],
            "date_text": ["January 2017", "December 2016", "2015"],
            "section": ["more_inclusive_decision_making", "access_to_public_services", "case_selection"],
            "kind": ["law", "law", "event"],
            "event": ["Citizen registration law", "Acts require registration", "Something else"],
            "paragraph": [17, 30, 9],
        }
    )
    table = ev.mentions(frame, "registration")
    assert list(table["Date (as the paper gives it)"]) == ["December 2016", "January 2017"]
    assert list(table["¶"]) == [30, 17]
    assert ev.mentions(frame, "nothing like it").empty


def test_event_span_month_or_whole_year():
    assert ev.event_span(2018, None) == (2018.0, 2019.0)
    assert ev.event_span(2018, float("nan")) == (2018.0, 2019.0)
    start, end = ev.event_span(2017, 12)
    assert math.isclose(start, 2017 + 11 / 12) and math.isclose(end, 2018.0)


def test_window_spans_the_cluster_not_the_outliers(events):
    assert ev.window(events) == (2012, 2020)
    assert ev.window(ev.events_for(events, BOTH)) == (2015, 2018)


def test_one_timeline_of_every_event_with_one_colour_key(events):
    theme.apply()
    fig = ev.timeline(events)
    ax, text_ax = fig.axes
    dates = [t.get_text() for t in ax.texts]
    assert dates == list(ev.events_for(events)["date_text"]), "each mark carries its date as the paper gives it"
    assert len(text_ax.texts) == len(events)
    # 1991 and 2050 lie outside the axis: drawn as arrows at its edges, not squeezed in
    markers = [line.get_marker() for line in ax.lines]
    assert markers.count("<") == 1 and markers.count(">") == 1
    # one key: a patch per section, in the paper's order, then the two kinds of date
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == list(ev.SECTION_TITLES.values()) + ["dated to the month", "dated to the year (or season)"]
    colours = {p.get_label(): p.get_facecolor() for p in fig.legends[0].get_patches()}
    assert (
        matplotlib.colors.to_hex(colours["Freedom of the press"]) == ev.SECTION_COLOURS["freedom_of_the_press"].lower()
    )
    plt.close(fig)


def test_timeline_is_drawn_for_the_page(events):
    theme.apply()
    fig = ev.timeline(events)
    assert fig.get_figwidth() == theme.WIDTH
    size, text = theme.smallest_text(fig)
    assert size >= theme.MIN_TEXT, f"{text!r} is {size} pt"
    ax = fig.axes[0]
    frame = ax.get_window_extent()
    for t in ax.texts:
        box = t.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, f"the date {t.get_text()!r} runs across the frame"
    plt.close(fig)


def test_timeline_of_some_sections_draws_only_them(events):
    fig = ev.timeline(events, BOTH)
    ax, _ = fig.axes
    assert [t.get_text() for t in ax.texts] == ["16 November 2015", "December 2017", "January 2018", "spring 2018"]
    assert len(ax.patches) == 1, "only 'spring 2018' is dated to a year"
    plt.close(fig)
