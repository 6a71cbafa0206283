"""A page that pastes a glued value from another page is written again when that page changes.

MyST-NB's glue roles take ``{glue:text}`/chapters/NAME.ipynb::key``` to paste a value glued in
another notebook: the landing page and the findings page state the update's result that way,
from the one notebook that computes it. Sphinx builds incrementally and writes again only the
pages whose sources changed, so without this a page that pastes would keep the old value when
only the notebook it pastes from changed. On Sphinx's documented ``env-get-outdated`` event this
extension names, among the unchanged pages, those whose source pastes from a page that was
added or changed, so Sphinx reads and writes them again. Enabled in ``_config.yml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from halfopen import __version__

#: A glue role or directive that pastes from another document: ``{glue...}`PATH::key``` or
#: ```{glue...} PATH::key``; group 1 is the path, relative to the page or absolute from the source folder.
PASTE = re.compile(r"\{glue(?::[a-z]+)?\}[`\s]\s*([^`\s:]+)::")


def pasted_from(text: str) -> list[str]:
    """The paths of the documents that ``text`` (a page's source) pastes glued values from."""
    return PASTE.findall(text)


def on_env_get_outdated(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """The unchanged pages that paste from a page added or changed in this build."""
    fresh = set(added) | set(changed)
    if not fresh:
        return []
    outdated = []
    for doc in sorted(env.found_docs - fresh):
        text = Path(env.doc2path(doc)).read_text(encoding="utf-8")
        sources = {env.path2doc(env.relfn2path(path, doc)[1]) for path in pasted_from(text)}
        if sources & fresh:
            outdated.append(doc)
    return outdated


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-get-outdated", on_env_get_outdated)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
