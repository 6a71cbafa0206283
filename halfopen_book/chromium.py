"""Which Chromium the book drives (the PDFs, the browser tests): the one place it is looked for.

``$HALFOPEN_CHROMIUM`` names it (a path, or a command on the ``PATH``); otherwise Debian's
``/usr/bin/chromium`` (``apt-get install chromium``); otherwise the first of
:data:`CHROMIUM_NAMES` on the ``PATH`` (a hosted CI runner carries Chromium and Google Chrome).
Playwright never downloads a browser here.

Standard library only: ``tasks.py`` and ``.ci/run`` (through ``python3 tasks.py chromium``)
look for the browser before ``.venv`` exists, with the system's Python.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ENV = "HALFOPEN_CHROMIUM"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def find_chromium() -> str | None:
    """The path of the Chromium to drive, or None when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
