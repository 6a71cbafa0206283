"""The book's figures that draw Freedom House data (Table 1's chapter and the update).

Each function takes tidy tables and returns a :class:`matplotlib.figure.Figure`; chapters
glue it and caption it. Colours and fonts come from :mod:`halfopen.theme`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from . import theme


def freedom_scores(table: pd.DataFrame, edition: int) -> plt.Figure:
    """Horizontal bars of the aggregate score (0-100) of each country of a Table 1.

    ``table`` is the output of :func:`halfopen.derive.table_1`. Bars are coloured by the
    derived freedom status and labelled with the score and the PR/CL ratings. No title: the
    caption names the figure.
    """
    label_to_code = {"Free": "F", "Partly free": "PF", "Not free": "NF"}
    data = table.reset_index().iloc[::-1]
    fig, ax = plt.subplots(figsize=(theme.WIDTH, 0.5 * len(data) + 1.5), layout="constrained")
    colours = [theme.STATUS_COLOURS[label_to_code[s]] for s in data["Freedom status"]]
    ax.barh(data["Country"], data["Aggregate score"], color=colours, edgecolor="black", linewidth=0.6)
    for y, row in enumerate(data.itertuples(index=False)):
        score = row[data.columns.get_loc("Aggregate score")]
        pr = row[data.columns.get_loc("Political rights")]
        cl = row[data.columns.get_loc("Civil liberties")]
        ax.text(score + 1.5, y, f"{score} (PR {pr}, CL {cl})", va="center", fontsize=10.5)
    ax.set_xlim(0, 135)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(f"Aggregate score, {edition} edition (0 = least free, 100 = most free)")
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=theme.STATUS_COLOURS[c], edgecolor="black", label=l) for l, c in label_to_code.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, title="Status (derived from the ratings)")
    return fig
