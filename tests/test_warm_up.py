"""The extension's speed-ups that must not change a page: plugins resolved once, caches warmed early."""

from __future__ import annotations

import sys
from pathlib import Path

import pybtex.plugin
import pytest
from sphinx.application import Sphinx

from halfopen import sphinx_ext


def test_repeated_pybtex_plugins_are_the_entry_points_classes_and_need_no_scan(monkeypatch):
    found = {(g, n): pybtex.plugin.find_plugin(g, n) for g, n in sphinx_ext.REPEATED_PLUGINS}
    sphinx_ext._resolve_repeated_plugins()

    def no_scan(**kwargs):
        raise AssertionError(f"entry points scanned for {kwargs}")

    monkeypatch.setattr(pybtex.plugin, "entry_points", no_scan)
    for (group, name), klass in found.items():
        assert pybtex.plugin.find_plugin(group, name) is klass, (group, name)
    # what the style asks for without a name: its default names and sorting plugins
    assert pybtex.plugin.find_plugin("pybtex.style.names") is found[("pybtex.style.names", "plain")]


@pytest.fixture
def app(tmp_path: Path) -> Sphinx:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("", encoding="utf-8")
    (src / "index.rst").write_text("Tiny\n====\n", encoding="utf-8")
    return Sphinx(src, src, tmp_path / "out", tmp_path / "doctrees", "html", status=None, warning=None)


def test_warm_up_fills_each_cache_it_names(app, monkeypatch):
    sphinx_ext.environment_markdown.cache_clear()
    for name in [m for m in sys.modules if m == "soupsieve" or m.startswith("soupsieve.")]:
        monkeypatch.delitem(sys.modules, name)
    templates = app.builder.templates.environment
    assert "page.html" not in {key[1] for key in templates.cache or {}}

    sphinx_ext.warm_up(app)

    assert sphinx_ext.environment_markdown.cache_info().currsize == 1
    compiled = {key[1] for key in templates.cache}
    # page.html, and what it names: the layout it extends and that layout's own parent
    assert {"page.html", "layout.html", "basic/layout.html"} <= compiled, compiled
    assert "soupsieve" in sys.modules, "the theme's CSS selections import (and compile) soupsieve"


def test_a_failing_step_leaves_the_others_and_the_build_alone(app, monkeypatch):
    def broken() -> str:
        raise RuntimeError("no metadata")

    monkeypatch.setattr(sphinx_ext, "environment_markdown", broken)
    sphinx_ext.warm_up(app)  # does not raise
    assert "page.html" in {key[1] for key in app.builder.templates.environment.cache}
