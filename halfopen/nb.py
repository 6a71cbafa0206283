"""Small helpers for the chapters' cells, so a figure cell stays three lines."""

from __future__ import annotations

import io
from typing import Any

import matplotlib.pyplot as plt
from myst_nb import glue


def glue_figure(key: str, fig: plt.Figure) -> None:
    """Glue ``fig`` as an SVG under ``key`` for a ``{glue:figure}`` directive, and close it.

    A vector figure keeps its text sharp at any zoom, on a phone and in the PDF. It is saved
    at the figure's own size (no tight bounding box): each figure is drawn for the width the
    page shows it at (:data:`halfopen.theme.WIDTH`). Closing stops the inline backend from
    showing the figure a second time where the code cell is.
    """
    glue(key, Rendered(fig), display=False)
    plt.close(fig)


class Rendered:
    """A figure rendered once to SVG, at its own size, without a date in its metadata.

    myst-nb renders the ``image/svg+xml`` output as an image file of the page. The bytes
    are the same for the same figure: matplotlib's ids come from ``svg.hashsalt`` (set by
    :func:`halfopen.theme.apply`) and the metadata carry no date.
    """

    def __init__(self, fig: plt.Figure):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor=fig.get_facecolor())
        self.svg = buffer.getvalue()
        self.text = repr(fig)

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return self.text


def glue_values(**values: Any) -> None:
    """Glue several values for ``{glue:text}`` roles in the prose, showing none of them."""
    for key, value in values.items():
        glue(key, value, display=False)
