"""The paper's paragraphs in the book: a concordance of ¶1–¶46, and every ¶N marker a link to it.

The book cites the paper by paragraph (¶1 to ¶46). This extension does three things, with
Sphinx's documented extension points only:

* **Collect** (an environment collector, run as each page is read): every marker such as
  "¶13" or "¶41–43" in the text of a page is recorded with the section it stands in; the
  paragraph that holds it gets an anchor (``cites-1``, ``cites-2`` … on that page), so a link
  can land on it. Parallel reads merge (``merge_other``); a page read again first forgets
  what it cited (``clear_doc``).
* **Concordance** (the ``paragraph-concordance`` directive, filled in when its page is
  written): one entry per paragraph of the paper, anchored ``para-N``, naming the paper's
  section that holds it and linking to every section of the book that cites it, at the first
  paragraph there that does. It is built from the citations themselves, so it cannot drift
  from the text. (A marker in text made only as a page is written, such as a bibliography
  entry's note, is linked but not listed: it is not there when the page is read.)
* **Link** (``doctree-resolved``): each marker becomes a link to its paragraph's entry in the
  concordance (for a range, its first paragraph's), never to the top of the page it is on.
  A range is shown with an en dash ("¶7-31" in a data file reads "¶7–31"), and a stylesheet
  keeps a marker on one line. Markers inside code, links and headings stay text.

The paper's sections and their paragraphs come from its own headings (:data:`SECTIONS`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

from halfopen import __version__

logger = logging.getLogger(__name__)

#: The paper: O'Connor, Janenova & Knox (2019), International Review of Public Policy 1:1.
PAPER_DOI = "10.4000/irpp.325"


class Section(NamedTuple):
    """A section of the paper: its paragraphs, its heading there, the chapter that follows it."""

    first: int
    last: int
    heading: str
    chapter: str


#: The paper's sections, by their first and last paragraph, with their headings as the paper
#: prints them (a subsection after its section) and the chapter of the book that follows each.
#: The heading of the paper's findings, over the six sections of ¶13–32.
_FINDINGS = "Open Government Implementation"

SECTIONS: list[Section] = [
    Section(1, 4, "Background", "chapters/01_background"),
    Section(5, 6, "Open Government in Central Asia", "chapters/02_open_government_in_central_asia"),
    Section(7, 9, "Case Selection", "chapters/03_case_selection"),
    Section(10, 12, "Data Collection and Analysis", "chapters/04_data_collection_and_analysis"),
    Section(13, 16, f"{_FINDINGS}: Stronger Civil Society", "chapters/05_stronger_civil_society"),
    Section(17, 21, f"{_FINDINGS}: More Inclusive Decision-Making", "chapters/06_more_inclusive_decision_making"),
    Section(22, 24, f"{_FINDINGS}: Access to Information (Law and Practice)", "chapters/07_access_to_information"),
    Section(25, 27, f"{_FINDINGS}: Freedom of the Press", "chapters/08_freedom_of_the_press"),
    Section(28, 30, f"{_FINDINGS}: Access to Public Services", "chapters/09_access_to_public_services"),
    Section(31, 32, f"{_FINDINGS}: Anti-Corruption Measures", "chapters/10_anti_corruption_measures"),
    Section(33, 33, "Discussion", "chapters/11_discussion"),
    Section(34, 38, "Discussion: Bureaucratic obstruction", "chapters/11_discussion"),
    Section(39, 45, "Discussion: Implementation deficit", "chapters/11_discussion"),
    Section(46, 46, "Conclusion", "chapters/12_conclusion"),
]

#: The paper's paragraphs, first to last.
PARAGRAPHS = range(SECTIONS[0].first, SECTIONS[-1].last + 1)

#: "¶13", "¶41–43", "¶41-43" (a marker, with an optional range).
MARKER = re.compile(r"¶(\d{1,2})(?:[–-](\d{1,2}))?")

#: Nodes whose text stays as it is (and is not counted as a citation).
SKIP = (
    nodes.reference,
    addnodes.pending_xref,
    nodes.literal,
    nodes.literal_block,
    nodes.raw,
    nodes.title,
    nodes.FixedTextElement,
)

#: The anchor of paragraph N's entry in the concordance.
ENTRY_ID = "para-{}"

#: The class of every ¶ link (the stylesheet keeps a marker on one line).
LINK_CLASS = "paper-paragraph"

STYLESHEET = "paragraphs.css"


def section_of(paragraph: int) -> Section | None:
    """The paper's section that holds ``paragraph`` (None outside ¶1–¶46)."""
    for section in SECTIONS:
        if section.first <= paragraph <= section.last:
            return section
    return None


def paragraphs_of(marker: str) -> list[int]:
    """The paper's paragraphs a marker cites: ``¶41–43`` -> [41, 42, 43]; [] if none is the paper's."""
    m = MARKER.fullmatch(marker)
    if not m:
        return []
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else first
    if last < first:
        return []
    return [n for n in range(first, last + 1) if n in PARAGRAPHS]


def split(text: str) -> list[tuple[str, int | None]]:
    """``text`` cut into pieces: (text, None) and (marker, the first paragraph it cites)."""
    pieces: list[tuple[str, int | None]] = []
    pos = 0
    for m in MARKER.finditer(text):
        cited = paragraphs_of(m.group(0))
        if not cited:
            continue
        if m.start() > pos:
            pieces.append((text[pos : m.start()], None))
        pieces.append((m.group(0), cited[0]))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces


def chapter_number(docname: str) -> str | None:
    """The number the book gives a page: ``2`` for ``chapters/02_…``, ``A1`` for the appendix
    ``chapters/a1_…``; None for the landing and findings pages, which have none. (The sidebar
    shows the same numbers; the book's tests check that they agree.)"""
    m = re.fullmatch(r"chapters/(?:(\d+)|a(\d+))_\w+", docname)
    if not m:
        return None
    if m.group(2):
        return f"A{int(m.group(2))}"
    return str(int(m.group(1))) if int(m.group(1)) > 0 else None


# --------------------------------------------------------------------------- collecting


class Citation(NamedTuple):
    """One marker of a page: the paragraphs it cites, where it stands."""

    paragraphs: tuple[int, ...]
    section_id: str  # the id of the section holding it
    section_title: str
    anchor: str  # the id of the paragraph holding it (or of the section)


class PageCitations(NamedTuple):
    """What one page cites, and its title (a page's first heading)."""

    title: str
    citations: list[Citation]


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP):
            return True
        parent = parent.parent
    return False


def _ancestor(node: nodes.Node, kind: type) -> Any:
    parent = node.parent
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parent
    return parent


def _holder(text: nodes.Text) -> Any:
    """The element a link to ``text`` should land on: the paragraph holding it, or (in a
    figure's caption) the figure; None when only its section is nearer."""
    parent = text.parent
    while parent is not None and not isinstance(parent, nodes.section):
        if isinstance(parent, nodes.paragraph):
            return parent
        if isinstance(parent, (nodes.figure, nodes.table)):
            return parent
        parent = parent.parent
    return None


class concordance(nodes.General, nodes.Element):
    """Where the ``paragraph-concordance`` directive stands; replaced by the entries when written."""


class ConcordanceDirective(Directive):
    """``paragraph-concordance``: the entries of ¶1–¶46 (rendered when the page is written)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [concordance()]


class ParagraphCollector(EnvironmentCollector):
    """Reads the ¶ markers of every page into ``env.halfopen_paragraphs`` and notes the page of
    the concordance in ``env.halfopen_concordance`` (attributes of this extension's own)."""

    @staticmethod
    def _init(env: Any) -> None:
        if not hasattr(env, "halfopen_paragraphs"):
            env.halfopen_paragraphs = {}
        if not hasattr(env, "halfopen_concordance"):
            env.halfopen_concordance = set()

    def clear_doc(self, app: Any, env: Any, docname: str) -> None:
        self._init(env)
        env.halfopen_paragraphs.pop(docname, None)
        env.halfopen_concordance.discard(docname)

    def merge_other(self, app: Any, env: Any, docnames: set[str], other: Any) -> None:
        self._init(env)
        self._init(other)
        for docname in docnames:
            if docname in other.halfopen_paragraphs:
                env.halfopen_paragraphs[docname] = other.halfopen_paragraphs[docname]
        env.halfopen_concordance |= other.halfopen_concordance & docnames

    def process_doc(self, app: Any, doctree: nodes.document) -> None:
        env = app.env
        self._init(env)
        docname = env.docname
        if next(iter(doctree.findall(concordance)), None) is not None:
            env.halfopen_concordance.add(docname)
            return  # the concordance's own text cites no place in the book
        first = doctree.next_node(nodes.section)
        title = first[0].astext() if first is not None and len(first) and isinstance(first[0], nodes.title) else docname
        citations: list[Citation] = []
        anchors = 0
        for text in list(doctree.findall(nodes.Text)):
            if "¶" not in text or _skipped(text):
                continue
            cited = [tuple(paragraphs_of(m.group(0))) for m in MARKER.finditer(str(text))]
            cited = [c for c in cited if c]
            if not cited:
                continue
            section = _ancestor(text, nodes.section)
            if section is None or not section["ids"]:
                continue
            section_title = section[0].astext() if isinstance(section[0], nodes.title) else title
            holder = _holder(text)
            if holder is None:
                anchor = section["ids"][0]
            else:
                if not holder["ids"]:
                    anchors += 1
                    while f"cites-{anchors}" in doctree.ids:
                        anchors += 1
                    holder["ids"].append(f"cites-{anchors}")
                    doctree.ids[f"cites-{anchors}"] = holder
                anchor = holder["ids"][0]
            for paragraphs in cited:
                citations.append(Citation(paragraphs, section["ids"][0], section_title, anchor))
        env.halfopen_paragraphs[docname] = PageCitations(title, citations)


def reread_concordance(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """When any page is read again, so is the concordance, whose entries list what pages cite."""
    ParagraphCollector._init(env)
    if added or changed or removed:
        return sorted(env.halfopen_concordance - removed)
    return []


# --------------------------------------------------------------------------- writing


def _uri(app: Any, here: str, docname: str, anchor: str) -> str:
    if docname == here:
        return f"#{anchor}"
    return f"{app.builder.get_relative_uri(here, docname)}#{anchor}"


def _page_name(docname: str, title: str) -> str:
    number = chapter_number(docname)
    if number is None or title.startswith(f"{number}. "):
        return title
    return f"{number}. {title}"


def _order(app: Any, docname: str) -> tuple[bool, str]:
    return (docname != app.config.root_doc, docname)


def entries(app: Any, here: str) -> nodes.definition_list:
    """The concordance: for each paragraph of the paper, its section and the book's places."""
    env = app.env
    pages: dict[str, PageCitations] = env.halfopen_paragraphs
    found = env.found_docs
    listing = nodes.definition_list(classes=["paragraph-concordance"])
    for n in PARAGRAPHS:
        section = section_of(n)
        assert section is not None  # PARAGRAPHS spans SECTIONS
        short = section.heading.rsplit(": ", 1)[-1]
        term = nodes.term("", "", ids=[ENTRY_ID.format(n)])
        term += nodes.strong(f"¶{n}", f"¶{n}")
        term += nodes.Text(f" · {short}")
        definition = nodes.definition()
        intro = nodes.paragraph()
        span = f"¶{section.first}" if section.first == section.last else f"¶{section.first}–{section.last}"
        intro += nodes.Text("The paper's section ")
        intro += nodes.emphasis(section.heading, section.heading)
        intro += nodes.Text(" (")
        intro += nodes.inline(span, span, classes=[LINK_CLASS])
        intro += nodes.Text(")")
        if section.chapter in found:
            title = pages[section.chapter].title if section.chapter in pages else section.chapter
            name = _page_name(section.chapter, title)
            intro += nodes.Text(", told in full in ")
            uri = app.builder.get_relative_uri(here, section.chapter)
            intro += nodes.reference(name, name, refuri=uri, internal=True)
        intro += nodes.Text(".")
        definition += intro
        places = nodes.bullet_list()
        for docname in sorted(pages, key=lambda d: _order(app, d)):
            if docname not in found:
                continue
            page = pages[docname]
            sections: dict[str, tuple[str, str]] = {}  # section id -> its title, its first citing paragraph
            for c in page.citations:
                if n in c.paragraphs and c.section_id not in sections:
                    sections[c.section_id] = (c.section_title, c.anchor)
            if not sections:
                continue
            item = nodes.paragraph()
            name = _page_name(docname, page.title)
            item += nodes.strong(name, name)
            item += nodes.Text(" — ")
            for i, (section_title, anchor) in enumerate(sections.values()):
                if i:
                    item += nodes.Text(", ")
                label = "opening" if section_title == page.title else section_title
                item += nodes.reference(label, label, refuri=_uri(app, here, docname, anchor), internal=True)
            places += nodes.list_item("", item)
        if len(places):
            cited = nodes.paragraph(text="Cited in:")
            definition += cited
            definition += places
        else:
            definition += nodes.paragraph(text="No page of the book cites it by number.")
        listing += nodes.definition_list_item("", term, definition)
    return listing


def link_markers(app: Any, doctree: nodes.document, docname: str) -> None:
    """Fill in the concordance where it stands, and turn each ¶N marker into a link to its entry."""
    env = app.env
    ParagraphCollector._init(env)
    if app.builder.format == "html":
        _link(app, doctree, docname)
    for node in list(doctree.findall(concordance)):  # after the markers: its own are no links
        node.replace_self(entries(app, docname))


def _link(app: Any, doctree: nodes.document, docname: str) -> None:
    env = app.env
    targets = sorted(env.halfopen_concordance)
    if not targets:
        if any("¶" in t for t in doctree.findall(nodes.Text)):
            logger.warning(
                "no page holds the paragraph-concordance directive, so the ¶ markers of %s link nowhere: "
                "add the concordance page (chapters/a6_paragraph_concordance.md) to _toc.yml",
                docname,
                location=docname,
                type="halfopen",
                subtype="paragraphs",
            )
        return
    target = targets[0]
    for text in list(doctree.findall(nodes.Text)):
        if "¶" not in text or _skipped(text):
            continue
        pieces = split(str(text))
        if not any(n for _, n in pieces):
            continue
        new: list[nodes.Node] = []
        for piece, n in pieces:
            if n is None:
                new.append(nodes.Text(piece))
                continue
            section = section_of(n)
            where = f" ({section.heading})" if section else ""
            shown = piece.replace("-", "–")  # a range with an en dash, as typeset: ¶7–31, not ¶7-31
            new.append(
                nodes.reference(
                    shown,
                    shown,
                    refuri=_uri(app, docname, target, ENTRY_ID.format(n)),
                    internal=True,
                    classes=[LINK_CLASS],
                    reftitle=f"The paper's {shown}{where}, in the paragraph concordance",
                )
            )
        text.parent.replace(text, new)


def add_stylesheet(app: Any) -> None:
    """This extension's stylesheet (a marker such as "¶13–16" is never broken across lines)."""
    if app.builder.format == "html":
        app.config.html_static_path.append(str(Path(__file__).parent / "static"))
        app.add_css_file(STYLESHEET)


def setup(app: Any) -> dict[str, Any]:
    app.add_node(concordance)
    app.add_directive("paragraph-concordance", ConcordanceDirective)
    app.add_env_collector(ParagraphCollector)
    app.connect("env-get-outdated", reread_concordance)
    app.connect("doctree-resolved", link_markers)
    app.connect("builder-inited", add_stylesheet)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
