"""Where things are: every path the package uses comes from here.

The repository root is found from this file, so the package works from any current
directory. A chapter's ``data_dir`` parameter (or the ``HALFOPEN_DATA_DIR`` environment
variable) points the loader at another folder of tables, for readers who bring newer data.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CHAPTERS_DIR = ROOT / "chapters"
BUILD_DIR = ROOT / "_build"
DESCRIPTOR_NAME = "datapackage.json"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder of source tables: ``override``, else ``$HALFOPEN_DATA_DIR``, else ``data/``.

    A relative override is taken relative to the repository root, so that a parameter such
    as ``data_dir: my_data`` means the same thing from a notebook and from the command line.
    """
    chosen = override or os.environ.get("HALFOPEN_DATA_DIR") or DATA_DIR
    path = Path(chosen)
    if not path.is_absolute():
        path = ROOT / path
    return path
