"""Every ¶N marker of the book is a link to the chapter that treats paragraph N of the paper.

The book cites the paper by paragraph (¶1 to ¶46). A marker such as "¶13" or "¶41–43" in
the text of any page becomes a link to the chapter that follows the paper's section holding
that paragraph (for a range, its first paragraph): one target for every marker, the place in
the book where the reader finds that part of the argument told in full. The sections'
paragraphs come from the paper's own headings (:data:`SECTIONS`).

It runs on each page's resolved doctree (the documented ``doctree-resolved`` event) and
changes only text: markers inside code, links and headings are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.util.osutil import relative_uri

from halfopen import __version__

#: The paper's sections, by their first and last paragraph, and the chapter that follows each
#: (from the paper's headings: "Background" opens with ¶1, "Open Government in Central Asia"
#: with ¶5, ..., "Discussion" with ¶33, "Conclusion" with ¶46).
SECTIONS: list[tuple[int, int, str]] = [
    (1, 4, "chapters/01_background"),
    (5, 6, "chapters/02_open_government_in_central_asia"),
    (7, 9, "chapters/03_case_selection"),
    (10, 12, "chapters/04_data_collection_and_analysis"),
    (13, 16, "chapters/05_stronger_civil_society"),
    (17, 21, "chapters/06_more_inclusive_decision_making"),
    (22, 24, "chapters/07_access_to_information"),
    (25, 27, "chapters/08_freedom_of_the_press"),
    (28, 30, "chapters/09_access_to_public_services"),
    (31, 32, "chapters/10_anti_corruption_measures"),
    (33, 45, "chapters/11_discussion"),
    (46, 46, "chapters/12_conclusion"),
]

#: "¶13", "¶41–43", "¶41-43" (a marker, with an optional range).
MARKER = re.compile(r"¶(\d{1,2})(?:[–-](\d{1,2}))?")

#: Nodes whose text stays as it is.
SKIP = (nodes.reference, nodes.literal, nodes.literal_block, nodes.raw, nodes.title, nodes.FixedTextElement)


def chapter_of(paragraph: int) -> str | None:
    """The docname of the chapter that treats paragraph ``paragraph`` (None outside ¶1–¶46)."""
    for first, last, docname in SECTIONS:
        if first <= paragraph <= last:
            return docname
    return None


def split(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces: (text, None) and (marker, docname of its chapter)."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for m in MARKER.finditer(text):
        target = chapter_of(int(m.group(1)))
        if target is None:
            continue
        if m.start() > pos:
            pieces.append((text[pos : m.start()], None))
        pieces.append((m.group(0), target))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP):
            return True
        parent = parent.parent
    return False


def link_markers(app: Any, doctree: Any, docname: str) -> None:
    """Turn each ¶N marker in the text of ``docname`` into a link to its chapter."""
    if app.builder.format != "html":
        return
    here = app.builder.get_target_uri(docname)
    known = app.env.found_docs
    for text in list(doctree.findall(nodes.Text)):
        if "¶" not in text or _skipped(text):
            continue
        pieces = split(str(text))
        if not any(target for _, target in pieces):
            continue
        new: list[nodes.Node] = []
        for piece, target in pieces:
            if target is None or target not in known:
                new.append(nodes.Text(piece))
                continue
            uri = relative_uri(here, app.builder.get_target_uri(target))
            title = app.env.titles[target].astext() if target in app.env.titles else target
            ref = nodes.reference(
                piece,
                piece,
                refuri=uri,
                internal=True,
                classes=["paper-paragraph"],
                reftitle=f"The paper's {piece}, in the chapter “{title}”",
            )
            new.append(ref)
        text.parent.replace(text, new)


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", link_markers)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
