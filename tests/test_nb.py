"""The chapters' glue helper: a figure is glued as a deterministic SVG at its own size."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from halfopen import nb, theme


def _figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(4.0, 3.0), layout="constrained")
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("A title")
    return fig


def test_rendered_is_an_svg_at_the_figures_own_size():
    theme.apply()
    fig = _figure()
    shown = nb.Rendered(fig)
    assert repr(shown) == repr(fig)
    svg = shown._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    size = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert size, svg[:400]
    assert (float(size.group(1)), float(size.group(2))) == (288.0, 216.0), "4 x 3 inches (no tight bounding box)"
    assert not hasattr(shown, "_repr_png_"), "only the vector image is glued"
    plt.close(fig)


def test_rendering_is_deterministic_and_undated():
    theme.apply()
    images = []
    for _ in range(2):
        fig = _figure()
        images.append(nb.Rendered(fig)._repr_svg_())
        plt.close(fig)
    assert images[0] == images[1]
    assert "<dc:date>" not in images[0]


def test_the_theme_fixes_the_svg_ids_and_draws_glyphs_as_paths():
    theme.apply()
    assert plt.rcParams["svg.hashsalt"] == "halfopen"
    assert plt.rcParams["svg.fonttype"] == "path", "text looks the same without the font installed"


def test_glue_figure_closes_the_figure():
    theme.apply()
    fig = _figure()
    nb.glue_figure("a_figure", fig)
    assert not plt.fignum_exists(fig.number)


def test_smallest_text_finds_the_smallest_label():
    theme.apply()
    fig, ax = plt.subplots(figsize=(3.0, 2.0))
    ax.text(0.5, 0.5, "tiny", fontsize=6)
    assert theme.smallest_text(fig) == (6.0, "tiny")
    plt.close(fig)
