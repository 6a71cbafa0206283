"""Small helpers for the chapters' cells, so a figure cell stays three lines."""

from __future__ import annotations

import io
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine
from myst_nb import glue


def glue_figure(key: str, fig: plt.Figure) -> None:
    """Glue ``fig`` under ``key`` for a ``{glue:figure}`` directive, and close it.

    A figure with constrained layout is rendered once, as laid out (:class:`Rendered`): the
    layout engine already keeps every label, legend and title inside the canvas, and the
    inline backend's default tight bounding box would lay it out and draw it a second time
    (0.45 s of the 2 s the seven figures of chapter 13 take, measured). Other figures keep
    the backend's rendering. Closing stops the inline backend from showing the figure a
    second time where the code cell is.
    """
    glue(key, Rendered(fig) if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine) else fig, display=False)
    plt.close(fig)


class Rendered:
    """A figure rendered to PNG once, at the figure's own size and resolution.

    It shows as the figure would (its PNG, and the figure's text representation), so a
    ``{glue:figure}`` cannot tell the two apart.

    It is drawn by the Agg canvas's ``print_png``, which draws the figure once, laying it out
    as it draws. ``savefig`` on a figure with a layout engine first draws it a whole time
    without rendering, only to lay it out, and then draws it again; for these figures the
    two give byte-identical PNGs (tested), and the single draw is 15–20 % cheaper (0.3 s of
    chapter 13's seven figures, measured).
    """

    def __init__(self, fig: plt.Figure):
        buffer = io.BytesIO()
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.print_png(buffer)
        self.png = buffer.getvalue()
        self.text = repr(fig)

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return self.text


def glue_values(**values: Any) -> None:
    """Glue several values for ``{glue:text}`` roles in the prose, showing none of them."""
    for key, value in values.items():
        glue(key, value, display=False)
