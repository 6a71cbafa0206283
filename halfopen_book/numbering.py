"""Numbers of tables and figures: the paper's keep the paper's, the book's go by chapter.

The paper has three tables and one figure, and the book regenerates each of them; a reader
who cites "Table 1" must find a caption that reads "Table 1". The book's own tables and
figures are numbered by chapter ("Table 2.1", "Figure 13.4", "Table A1.3" in the first
appendix), so that they can never be taken for the paper's.

Sphinx numbers every captioned table and figure (``numfig``) once all documents are read, in
:attr:`BuildEnvironment.toc_fignumbers`; without numbered chapters it counts across the whole
book. This extension renumbers them right after Sphinx does (the documented
``env-get-updated`` event, at a later priority), so captions and ``{numref}`` references,
which both read those numbers, agree everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from halfopen import __version__

#: The paper's own tables and figure, by the label the book gives them, and their numbers there.
PAPER_NUMBERS: dict[str, str] = {
    "tbl-table-1": "1",
    "tbl-table-2": "2",
    "tbl-table-3": "3",
    "fig-half-open-government": "1",
}


def chapter_prefix(docname: str) -> str | None:
    """The chapter's number as its tables carry it: ``2`` for ``chapters/02_…``, ``A1`` for an
    appendix ``chapters/a1_…``; None for a page that is not a numbered chapter."""
    m = re.match(r"(?:.*/)?(?:(\d+)|a(\d+))_", docname)
    if not m:
        return None
    return str(int(m.group(1))) if m.group(1) else f"A{int(m.group(2))}"


def renumber(numbers: dict[str, dict[str, dict[str, tuple]]]) -> dict[str, dict[str, dict[str, tuple]]]:
    """New numbers for Sphinx's ``{docname: {figtype: {id: number}}}``.

    Within each chapter the book's tables (and separately its figures, code blocks) are
    counted in the order Sphinx numbered them, which is the order of the page; the paper's
    labels get the paper's number, and are not counted.
    """
    out: dict[str, dict[str, dict[str, tuple]]] = {}
    for docname, types in numbers.items():
        prefix = chapter_prefix(docname)
        out[docname] = {}
        for figtype, ids in types.items():
            new: dict[str, tuple] = {}
            count = 0
            for node_id in sorted(ids, key=lambda i: tuple(ids[i])):
                if node_id in PAPER_NUMBERS:
                    new[node_id] = (PAPER_NUMBERS[node_id],)
                    continue
                count += 1
                new[node_id] = (prefix or "0", count)
            out[docname][figtype] = new
    return out


def on_env_get_updated(app: Any, env: Any) -> list[str]:
    env.toc_fignumbers = renumber(env.toc_fignumbers)
    return []


def setup(app: Any) -> dict[str, Any]:
    # after Sphinx's own TocTreeCollector (priority 500) has assigned its numbers
    app.connect("env-get-updated", on_env_get_updated, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
