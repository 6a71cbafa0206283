"""One plotting theme for the whole book, applied in one place.

Colours are the Okabe-Ito palette, which stays distinguishable under the common forms of
colour blindness. Figures have an opaque white background and dark text, so they read the
same on the book's light and dark themes. Figures carry no timestamp and fonts are fixed,
so the same data give byte-identical images.

Figures are drawn for the width they are shown at: the book's content column is about 670
CSS pixels at 1280 px and 340 on a 390 px phone. A figure :data:`WIDTH` inches wide is an SVG
of about 630 px, so it is shown at full size on a desktop and at more than half its size on
a phone, where its text stays sharp when the reader zooms. No text is smaller than
:data:`MIN_TEXT` points (about 13 px at full size, the body's small print).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
ORDER = ["blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black"]

#: Width of every figure, in inches (see the module's docstring).
WIDTH = 6.6
#: The smallest text a figure may carry, in points.
MIN_TEXT = 10.0

#: A colour per country, the same in every figure of the book.
COUNTRY_COLOURS = {
    "Denmark": PALETTE["grey"],
    "Kazakhstan": PALETTE["blue"],
    "Kyrgyzstan": PALETTE["orange"],
    "Tajikistan": PALETTE["green"],
    "Turkmenistan": PALETTE["sky"],
    "Uzbekistan": PALETTE["purple"],
}

#: A marker per country, so lines that cross are told apart by shape as well as colour.
COUNTRY_MARKERS = {
    "Denmark": "P",
    "Kazakhstan": "o",
    "Kyrgyzstan": "s",
    "Tajikistan": "^",
    "Turkmenistan": "D",
    "Uzbekistan": "v",
}
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

#: Freedom House status colours (Free, Partly free, Not free).
STATUS_COLOURS = {"F": PALETTE["green"], "PF": PALETTE["orange"], "NF": PALETTE["vermillion"]}


def country_colour(name: str, index: int = 0) -> str:
    """The country's colour; countries a reader adds get the palette in order."""
    if name in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[name]
    return PALETTE[ORDER[index % len(ORDER)]]


def country_marker(name: str, index: int = 0) -> str:
    """The country's marker; countries a reader adds get the markers in order."""
    return COUNTRY_MARKERS.get(name, MARKERS[index % len(MARKERS)])


def smallest_text(fig: plt.Figure) -> tuple[float, str]:
    """The size in points of the smallest visible text of ``fig``, and that text (for tests)."""
    fig.canvas.draw()
    found = [
        (t.get_fontsize(), t.get_text())
        for t in fig.findobj(lambda o: hasattr(o, "get_fontsize") and hasattr(o, "get_text"))
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())
    ]
    return min(found) if found else (float("inf"), "")


def apply() -> None:
    """Set the book's theme for seaborn and matplotlib (call once per chapter)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=[PALETTE[c] for c in ORDER])
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
            "font.family": "DejaVu Sans",
            "axes.titleweight": "bold",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10.5,
            "ytick.labelsize": 10.5,
            "legend.fontsize": 10.5,
            "legend.title_fontsize": 11,
            "legend.frameon": False,
            # Vector figures that are the same bytes for the same data: fixed ids, glyphs as paths.
            "svg.hashsalt": "halfopen",
            "svg.fonttype": "path",
            "figure.max_open_warning": 0,
        }
    )
