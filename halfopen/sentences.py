"""The sentences of the update's chapters 13 and 14, as values to glue into their prose.

Each function takes the :class:`halfopen.method.Study` the chapters build and returns the
values one section's prose states (``{glue:text}``), so that the text is computed from the
data and a data change can never leave it stale. To change what a sentence of chapter 13 or
14 says, change it here; the numbers come from :mod:`halfopen.method` and the source modules.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from . import derive, tables
from .egov_survey import rank_drift, rank_drift_text
from .freedom_house import status_changes, status_changes_text
from .method import NO_DATA, Study, change_of, changes, missing_countries, ordinal, series_of
from .open_budget import OBS_MEASURES, obs_global_means, obs_placement
from .timeseries import edition_span


def moves_text(change_table: pd.DataFrame, key: str, fmt: str = "{:.0f}") -> str:
    """Each country's value of measure ``key`` at both ends of its comparison, as a phrase:
    ``"Denmark 98 to 97 and Kazakhstan 26 to 23"`` (on the measure's own scale; "no data" kept)."""
    rows = change_table[change_table["measure"] == key]
    return tables.join_words(
        [
            f"{r.Country} {fmt.format(r.start)} to {fmt.format(r.end)}"
            if pd.notna(r.change)
            else f"{r.Country}: {r.note}"
            for r in rows.itertuples(index=False)
        ]
    )


def largest_gain(change_table: pd.DataFrame, country: str, keys: list[str]) -> str:
    """The label of the measure among ``keys`` with ``country``'s largest change, or "none"."""
    rows = change_table[(change_table["Country"] == country) & change_table["measure"].isin(keys)].dropna(
        subset=["change"]
    )
    return str(rows.loc[rows["change"].idxmax(), "Measure"]) if len(rows) else "none"


def signed(value: float, fmt: str = "{:+.1f}", missing: str = NO_DATA) -> str:
    """A change as text with its sign (``fmt``, a true minus sign), or ``missing`` for NaN.

    A change that rounds to zero at the format's precision is written without a sign: "0.00",
    never "−0.00".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = fmt.format(value)
    if not any(c in "123456789" for c in re.sub(r"\D", "", text)):
        text = text.replace("+", "", 1).replace("-", "", 1)
    return tables.minus(text)


def describe_path(values: pd.Series, fmt: str = "{:.2f}", missing: str = NO_DATA) -> str:
    """How a series moved, as a phrase: its first value, its low and high if they lie between,
    and its last. ``values`` is indexed by year; missing values are skipped.

    ``"43.09 in 2006, a low of 34.77 in 2008, a high of 62.96 in 2021 and 62.66 in 2023"``:
    the first and last alone would hide a dip or a peak on the way. An empty series gives
    ``missing``.
    """
    s = values.dropna().sort_index()
    if s.empty:
        return missing
    first, last = s.index[0], s.index[-1]
    parts = [f"{fmt.format(s.iloc[0])} in {first}"]
    inner = s.iloc[1:-1]
    if len(inner):
        low, high = inner.idxmin(), inner.idxmax()
        if s[low] < min(s.iloc[0], s.iloc[-1]):
            parts.append(f"a low of {fmt.format(s[low])} in {low}")
        if s[high] > max(s.iloc[0], s.iloc[-1]):
            parts.append(f"a high of {fmt.format(s[high])} in {high}")
        if len(parts) == 3 and high < low:
            parts[1], parts[2] = parts[2], parts[1]
    if len(s) > 1:
        parts.append(f"{fmt.format(s.iloc[-1])} in {last}")
    text = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return tables.minus(text)


def _focus_path(study: Study, key: str, fmt: str = "{:.2f}", missing: str = NO_DATA) -> str:
    focal = study.focal
    return describe_path(series_of(study.tables, key, focal["name"], focal["iso3"]), fmt, missing)


#: How the prose names each source's years, by the table and year column its measures are read from.
SPANS = (
    ("freedom_house", "edition", "Freedom House's editions of {} to {}"),
    ("obs_central_asia", "round", "the Open Budget Survey's rounds of {} to {}"),
    ("egov_survey", "survey", "the UN E-Government Survey's editions of {} to {}"),
    ("wgi", "year", "the World Bank's governance indicators for {} to {}"),
)


def source_spans(frames: dict[str, pd.DataFrame]) -> str:
    """The years each index's table covers, as a phrase (glued wherever the prose names the period)."""
    return tables.join_words([words.format(*edition_span(frames[name], column)) for name, column, words in SPANS])


def freedom_house_moves(study: Study) -> dict[str, str]:
    """``fh_moves``: each country's aggregate score at the window's first and last edition;
    ``status_moves``: every change of status of the countries shown, in any edition (both
    chapters state these)."""
    t = study.tables
    fh = t["freedom_house"]
    fh_only = study.compared[study.compared["measure"] == "fh"]
    everyone = changes(t, study.selected, fh_only, study.start, study.end)
    words = {s: derive.status_label(s, t["freedom_status_thresholds"]).lower() for s in ("F", "PF", "NF")}
    changed = any(status_changes(fh, name) for name in study.selected["name"])
    return {
        "fh_moves": moves_text(everyone, "fh"),
        "status_moves": (
            f"Status changed too: {status_changes_text(fh, study.selected, words)}."
            if changed
            else "No country shown changed its status in any edition."
        ),
    }


def freedom_house_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's Freedom House section: the table's size and span, the focus's path, the moves."""
    fh = study.tables["freedom_house"]
    first, last = edition_span(fh, "edition")
    return {
        **freedom_house_moves(study),
        "fh_rows": len(fh),
        "fh_first": first,
        "fh_last": last,
        "focus_fh_path": _focus_path(study, "fh", "{:.0f}"),
    }


def obs_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's Open Budget Survey section: the rounds, who is missing, the focus's paths."""
    t = study.tables
    obs = t["obs_central_asia"]
    first, last = edition_span(obs, "round")
    unsurveyed = missing_countries(obs, study.selected)
    return {
        "obs_first": first,
        "obs_last": last,
        "obs_missing": (
            f"{tables.join_words(unsurveyed)} {'is' if len(unsurveyed) == 1 else 'are'} not in it"
            if unsurveyed
            else "every country shown is in it"
        ),
        "comparator_obs": (
            f"{study.comparator_name} is {'not ' if missing_countries(obs, study.comparator) else ''}in the survey"
        ),
        "sufficient": derive.obs_threshold(t["obs_score_bands"], "transparency"),
        "focus_t_path": _focus_path(study, "obs_t", missing="not surveyed"),
        "focus_p_path": _focus_path(study, "obs_p", missing="not surveyed"),
    }


def obs_2017_values(study: Study) -> dict[str, str | int]:
    """Chapter 13's 2017 round: how many countries, their means, the focus's scores and ranks."""
    obs17 = study.tables["obs_2017_countries"]
    means = obs_global_means(obs17)
    place = {m: obs_placement(obs17, study.focal["iso3"], m) for m in OBS_MEASURES}
    focus17 = "no scores, since it was not surveyed"
    if place["transparency"]:
        focus17 = (
            f"{derive.round_half_up(place['transparency']['value'])} for transparency "
            f"(ranked {ordinal(place['transparency']['rank'])}), "
            f"{derive.round_half_up(place['participation']['value'])} for participation "
            f"(ranked {ordinal(place['participation']['rank'])}) and "
            f"{derive.round_half_up(place['oversight']['value'])} for oversight"
        )
    return {
        "obs17_n": len(obs17),
        "mean_t": f"{means['transparency']:.2f}",
        "mean_p": f"{means['participation']:.2f}",
        "mean_t_rounded": derive.round_half_up(means["transparency"]),
        "mean_p_rounded": derive.round_half_up(means["participation"]),
        "focus17": focus17,
    }


def egov_values(study: Study) -> dict[str, str | int]:
    """Chapter 14's E-Government Survey section: the surveys, the drift of the index, the focus's rank."""
    egov = study.tables["egov_survey"]
    drift = rank_drift(egov, study.selected)
    first, last = edition_span(egov, "survey")
    return {
        "egov_surveys": tables.join_words([str(s) for s in sorted(egov["survey"].unique())]),
        "egov_first": first,
        "egov_last": last,
        "level_rises": int((drift["level change"] > 0).sum()),
        "n_drift": len(drift),
        "drift_text": rank_drift_text(drift),
        "focus_rank_path": _focus_path(study, "egdi_rank", "{:.0f}"),
    }


def wgi_values(study: Study) -> dict[str, str | int]:
    """Chapter 14's governance-indicators section: the focus's paths and its changes in the window."""
    wgi = study.tables["wgi"]
    focus = str(study.focal["name"])
    shown = study.classes[study.classes["measure"].isin(["ge", "cc", "rl", "va", "fh"])]
    own = changes(study.tables, study.focal.to_frame().T, shown, study.start, study.end)
    va, fh = change_of(own, focus, "va"), change_of(own, focus, "fh")
    first, last = edition_span(wgi, "year")
    return {
        "wgi_first": first,
        "wgi_last": last,
        "focus_ge_path": _focus_path(study, "ge", "{:+.3f}"),
        "focus_cc_path": _focus_path(study, "cc", "{:+.3f}"),
        "focus_wgi_largest": largest_gain(own, focus, ["ge", "cc", "rl", "va"]).removeprefix("WGI ").lower(),
        "focus_va_change": signed(va, "{:+.2f}"),
        "focus_fh_change": signed(fh, "{:+.0f}"),
        "focus_rl_change": signed(change_of(own, focus, "rl"), "{:+.2f}"),
        "va_fh_direction": direction(va, fh),
    }


def direction(a: float, b: float, shown: tuple[str, str] = ("{:+.2f}", "{:+.0f}")) -> str:
    """Whether two changes went the same way, as the prose says it. A change that rounds to zero
    at the precision the prose shows it (``shown``) counts as no movement."""
    if math.isnan(a) or math.isnan(b):
        return "cannot both be measured"
    a, b = (float(fmt.format(v)) for fmt, v in zip(shown, (a, b)))
    if a * b > 0:
        return "moved the same way"
    return "moved in opposite directions" if a * b < 0 else "did not both move"
