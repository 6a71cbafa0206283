"""The chapters' glue helpers: a constrained figure is rendered once, at its own size."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from PIL import Image

from halfopen import nb, theme


def test_rendered_is_the_figure_at_its_size_and_resolution():
    theme.apply()
    fig, ax = plt.subplots(figsize=(4.0, 3.0), layout="constrained")
    ax.plot([0, 1], [0, 1])
    ax.set_title("A title")
    shown = nb.Rendered(fig)
    assert repr(shown) == repr(fig) == "<Figure size 440x330 with 1 Axes>"
    image = Image.open(io.BytesIO(shown._repr_png_()))
    assert image.format == "PNG"
    assert image.size == (440, 330), "rendered at the figure's own size (no tight bounding box)"
    assert image.getpixel((0, 0))[:3] == (255, 255, 255), "the book's white background"
    plt.close(fig)


def test_rendering_is_deterministic():
    theme.apply()
    images = []
    for _ in range(2):
        fig, ax = plt.subplots(figsize=(4.0, 3.0), layout="constrained")
        ax.bar(["a", "b"], [1, 2])
        images.append(nb.Rendered(fig)._repr_png_())
        plt.close(fig)
    assert images[0] == images[1]


def test_rendered_png_is_what_savefig_gives():
    """One draw (``print_png``) gives the very bytes of ``savefig``'s layout-then-draw."""
    theme.apply()
    pngs = []
    for render in ("savefig", "rendered"):
        fig, axes = plt.subplots(2, 2, figsize=(6.0, 4.0), layout="constrained", sharex=True)
        for i, ax in enumerate(axes.flat):
            ax.plot([2010, 2015, 2020], [i, 3 * i, 2 * i], marker="o", label=f"series {i}")
            ax.set_title(f"Panel {i}: a longer title that takes room")
            ax.set_ylabel("score (0–100)")
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center")
        fig.suptitle("Four panels")
        pngs.append(_savefig_png(fig) if render == "savefig" else nb.Rendered(fig)._repr_png_())
        plt.close(fig)
    assert pngs[0] == pngs[1]


def test_a_figure_without_an_agg_canvas_is_rendered_too():
    """A figure made without pyplot has no Agg canvas of its own; it gets one to be drawn on."""
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

    theme.apply()

    def figure() -> Figure:
        fig = Figure(figsize=(3.0, 2.0), layout="constrained")
        fig.subplots().plot([0, 1], [1, 0])
        return fig

    fig = figure()
    assert type(fig.canvas) is FigureCanvasBase
    assert nb.Rendered(fig)._repr_png_() == _savefig_png(figure())


def _savefig_png(fig: plt.Figure) -> bytes:
    """What the book drew before: savefig at the figure's own resolution and background."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor())
    return buffer.getvalue()
