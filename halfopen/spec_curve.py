"""The specification curve of chapter 15: every specification of :mod:`halfopen.multiverse`, ordered.

Drawn as specification-curve analyses draw theirs (Simonsohn, Simmons & Nelson 2020): the
result of each specification on top, in order, and the choices that make it beneath.
"""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import theme
from .multiverse import DIMENSIONS, option_text


def _order(verdicts: pd.DataFrame, focus: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Specifications (one row each, with their choices) and the pattern per country (1, 0 or NaN
    where not counted), both sorted as the curve shows them: most countries showing the pattern
    first, then the focus country's verdict, then the choices."""
    pattern = verdicts.assign(value=np.where(verdicts["counted"], verdicts["pattern"].astype(float), np.nan))
    wide = pattern.pivot(index="spec", columns="Country", values="value")[list(pd.unique(verdicts["Country"]))]
    specs = verdicts.drop_duplicates("spec").set_index("spec")[list(DIMENSIONS)]
    specs["count"] = wide.fillna(0).sum(axis=1)
    specs["focus"] = wide[focus].fillna(-1) if focus in wide else 0
    specs = specs.sort_values(["count", "focus", *DIMENSIONS], ascending=[False, False] + [True] * len(DIMENSIONS))
    return specs, wide.loc[specs.index]


def binned(rows: np.ndarray, width: int) -> np.ndarray:
    """``rows`` (one column per specification) averaged over consecutive groups of ``width``
    columns, ignoring NaN: the share of the group's specifications that take a value of 1."""
    n = rows.shape[1]
    groups = math.ceil(n / width)
    padded = np.full((rows.shape[0], groups * width), np.nan)
    padded[:, :n] = rows
    with warnings.catch_warnings():  # a run of blanks (countries not counted) stays blank, without a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(padded.reshape(rows.shape[0], groups, width), axis=2)


#: At most this many columns in the figure's rows: finer than a phone shows, coarse enough to stay light.
COLUMNS = 480


def curve_figure(
    verdicts: pd.DataFrame, focus: str, labels: dict[str, str], comparator: str = "the comparator"
) -> plt.Figure:
    """The specification curve: every counted specification, ordered, with the choices beneath.

    Top: how many countries show the pattern in each specification, most first (drawn as
    runs, one bar per run of equal counts, so the curve is exact and light). Below, in the
    same order: one row per country (the darker, the more of the specifications there show
    the pattern; blank where the country is not counted), then each choice, one row per
    option, darker where more specifications take it, and the window's years. Rows are
    images with at most :data:`COLUMNS` columns, each the mean of consecutive specifications,
    so the page stays light however many specifications there are.
    """
    specs, wide = _order(verdicts, focus)
    n = len(specs)
    width = max(1, math.ceil(n / COLUMNS))
    blocks = []
    for dim in ("delta", "comparator", "reading", "left_out"):
        values = sorted(specs[dim].unique(), key=lambda v: (str(v) not in ("main", "", "small", "False"), str(v)))
        marks = np.array([(specs[dim] == v).to_numpy() for v in values], float)
        blocks.append((DIMENSIONS[dim][0], [option_text(dim, v, labels, comparator) for v in values], marks))
    countries = list(wide.columns)
    heights = [1.6, 0.3 * len(countries)] + [0.28 * len(b[1]) + 0.3 for b in blocks] + [0.7]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(theme.WIDTH, sum(heights) + 0.8),
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
    )
    top = axes[0]
    counts = specs["count"].to_numpy()
    edges = np.flatnonzero(np.diff(counts)) + 1
    for a, b in zip(np.r_[0, edges], np.r_[edges, n]):
        top.bar(a, counts[a], width=b - a, align="edge", color=theme.PALETTE["blue"], linewidth=0)
    top.set_xlim(0, n)
    top.set_ylim(0, max(1, len(countries)))
    top.set_yticks(range(len(countries) + 1))
    top.set_ylabel("countries\nshowing it")
    top.set_xticks([])
    top.grid(axis="x", visible=False)
    rows = [(axes[1], countries, binned(wide.T.to_numpy(dtype=float), width), "Oranges", None)]
    rows += [(ax, names, binned(marks, width), "Greys", title) for ax, (title, names, marks) in zip(axes[2:-1], blocks)]
    for ax, names, image, cmap, title in rows:
        colours = plt.get_cmap(cmap).with_extremes(bad="white")
        ax.imshow(
            np.ma.masked_invalid(image),
            aspect="auto",
            cmap=colours,
            vmin=-0.12,
            vmax=1,
            interpolation="nearest",
            clip_on=False,
        )
        ax.set_yticks(range(len(names)), names)
        if title:
            ax.set_title(title, loc="left", fontsize=10.5)
    win = axes[-1]
    years = binned(specs[["start", "end"]].T.to_numpy(dtype=float), width)
    image = win.imshow(years, aspect="auto", cmap="cividis", interpolation="nearest", clip_on=False)
    win.set_yticks([0, 1], ["window starts", "window ends"])
    bar = fig.colorbar(image, ax=win, orientation="vertical", aspect=5, pad=0.01)
    bar.ax.tick_params(labelsize=10)
    for ax in axes[1:]:
        ax.set_xticks([])
        ax.grid(False)
        ax.tick_params(axis="y", length=0, labelsize=10)
    win.set_xlabel(f"{n:,} specifications, in order")
    return fig
