"""Small helpers for the chapters' cells, so a figure cell stays three lines."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from myst_nb import glue


def glue_figure(key: str, fig: plt.Figure) -> None:
    """Glue ``fig`` under ``key`` for a ``{glue:figure}`` directive, and close it.

    Closing stops the inline backend from showing the figure a second time where the
    code cell is.
    """
    glue(key, fig, display=False)
    plt.close(fig)


def glue_values(**values: Any) -> None:
    """Glue several values for ``{glue:text}`` roles in the prose, showing none of them."""
    for key, value in values.items():
        glue(key, value, display=False)
