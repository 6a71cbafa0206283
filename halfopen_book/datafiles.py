"""The book's source tables, offered for download from the site as CSV files.

Every table of ``data/`` (and its ``datapackage.json``) is published under ``data/`` of the
built site, so the Data sources appendix can link each table's download. It uses Sphinx's
documented ``html_extra_path``: the tables are copied into a folder beside the build's
doctrees (never into ``data/`` itself), and that folder is added to ``html_extra_path`` when
the configuration is initialised (``config-inited``); Sphinx copies its files into the site
unchanged.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from halfopen import __version__, paths

#: Name of the folder (beside the doctrees) whose contents Sphinx copies into the site.
EXTRA_DIR = "halfopen-extra"


def stage_tables(data_dir: Path, extra: Path) -> list[Path]:
    """Copy the CSV tables and the descriptor of ``data_dir`` to ``extra/data``; return them."""
    out = extra / "data"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copied = []
    for f in sorted(data_dir.iterdir()):
        if f.suffix == ".csv" or f.name == paths.DESCRIPTOR_NAME:
            shutil.copyfile(f, out / f.name)
            copied.append(out / f.name)
    return copied


def on_config_inited(app: Any, config: Any) -> None:
    """Stage the tables and add their folder to ``html_extra_path``, while the configuration is
    being set (Sphinx's ``config-inited`` event): what the builders and other extensions then
    read is the final configuration, and Sphinx checks the folder as it checks its own
    ``html_extra_path`` entries. Builders that write no HTML ignore the setting."""
    extra = Path(app.doctreedir).parent / EXTRA_DIR
    stage_tables(paths.data_dir(), extra)
    config.html_extra_path = [*config.html_extra_path, str(extra)]


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", on_config_inited)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
