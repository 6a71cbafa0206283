"""One plotting theme for the whole book, applied in one place.

Colours are the Okabe-Ito palette, which stays distinguishable under the common forms of
colour blindness. Figures have an opaque white background and dark text, so they read the
same on the book's light and dark themes. Figures carry no timestamp and fonts are fixed,
so the same data give byte-identical images.
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

#: A colour per country, the same in every figure of the book.
COUNTRY_COLOURS = {
    "Denmark": PALETTE["grey"],
    "Kazakhstan": PALETTE["blue"],
    "Kyrgyzstan": PALETTE["orange"],
    "Tajikistan": PALETTE["green"],
    "Turkmenistan": PALETTE["vermillion"],
    "Uzbekistan": PALETTE["purple"],
}

#: Freedom House status colours (Free, Partly free, Not free).
STATUS_COLOURS = {"F": PALETTE["green"], "PF": PALETTE["orange"], "NF": PALETTE["vermillion"]}


def country_colour(name: str, index: int = 0) -> str:
    """The country's colour; countries a reader adds get the palette in order."""
    if name in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[name]
    return PALETTE[ORDER[index % len(ORDER)]]


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
            "axes.titlesize": 12,
            "axes.labelsize": 10.5,
            "legend.frameon": False,
            "svg.hashsalt": "halfopen",
            "figure.max_open_warning": 0,
        }
    )
