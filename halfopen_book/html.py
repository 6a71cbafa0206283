"""Steps over the book's own published HTML, after Sphinx has written it.

These change nothing Sphinx or the theme decide; they correct what the assembled page
repeats. Each is a plain function of a page's text, applied by
:func:`halfopen_book.build.publish` to every page it publishes.
"""

from __future__ import annotations

import re

#: A whole ``<script>`` element, inline or with a ``src``.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


def drop_repeated_scripts(page: str) -> str:
    """Keep the first of byte-identical ``<script>`` elements and drop the others.

    With launch buttons on, Jupyter Book's theme and sphinx-thebe each add the same inline
    ``const THEBE_JS_URL = ...`` script, and the browser then throws "Identifier
    'THEBE_JS_URL' has already been declared" on every page. An identical script a second
    time can only repeat the first one's effect or fail, so dropping it is safe.
    """
    seen: set[str] = set()

    def first_only(match: re.Match[str]) -> str:
        element = match.group(0)
        if element in seen:
            return ""
        seen.add(element)
        return element

    return SCRIPT.sub(first_only, page)


def rewrite(page: str) -> str:
    """Every step, in order, over one published page."""
    return drop_repeated_scripts(page)
