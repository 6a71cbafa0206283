"""Sphinx extension: every page says how to cite it, from one metadata source (CITATION.cff).

For every page of the book it

- adds citation metadata to the HTML head (Highwire ``citation_*`` tags, read by Google
  Scholar, Zotero and other reference managers, plus Dublin Core ``DC.*``): the page title,
  the book's authors, date, title and version, the page's stable URL, and the original paper
  as a related reference;
- appends a "Cite this chapter" block (id ``cite-this-chapter``) with a formatted reference
  (chapter title, the book, its version and date, the page URL), a BibTeX entry whose key is
  derived from the page name, and the citation of the original paper.

Nothing is typed per chapter: the book's metadata and the paper's come from ``CITATION.cff``
(the paper is its ``preferred-citation``); a page's stable URL is ``html_baseurl`` plus the
page name. The functions that make the texts are plain and tested without a build
(tests/test_citation.py). Enabled in ``_config.yml``::

    sphinx:
      extra_extensions: [halfopen.sphinx_ext]
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from . import __version__
from . import run as _run

# The status page is read again on every build that executed a chapter (its run record
# changes). Importing its module (and pandas) here, when Sphinx sets the extension up,
# takes that 0.3 s off the build itself: in a rebuild, set-up happens while the chapters
# execute (halfopen.sphinx_child).
from . import status as _status

CITATION_FILE = "CITATION.cff"
BLOCK_ID = "cite-this-chapter"

_MONTHS = "January February March April May June July August September October November December".split()


# --------------------------------------------------------------------------- metadata


def load_citation(path: str | Path) -> dict[str, Any]:
    """Read a CITATION.cff file; dates become ISO strings (as the CFF schema expects)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a CFF mapping")
    return _dates_to_str(data)


def _dates_to_str(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_to_str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def person_name(person: dict[str, Any], inverted: bool = True) -> str:
    """A CFF person or entity as a display name: 'Family, Given' (or 'Given Family'), or the entity name."""
    if "name" in person:
        return str(person["name"])
    family = " ".join(str(person[k]) for k in ("name-particle", "family-names") if person.get(k))
    given = str(person.get("given-names", "")).strip()
    if person.get("name-suffix"):
        family = f"{family} {person['name-suffix']}"
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", given) if part)


def book_metadata(cff: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """The book's citation facts from a CFF mapping: title, authors, version, date, URLs."""
    date = str(cff.get("date-released", ""))
    return {
        "title": str(cff["title"]),
        "authors": [person_name(a) for a in cff.get("authors", [])],
        "author_entries": list(cff.get("authors", [])),
        "version": str(cff.get("version", "")),
        "date": date,
        "year": date[:4],
        "base_url": (base_url or str(cff.get("url", ""))).rstrip("/") + "/",
        "repository": str(cff.get("repository-code", "")),
        "license": cff.get("license"),
        "paper": cff.get("preferred-citation"),
    }


def page_url(base_url: str, docname: str) -> str:
    """The stable URL of a page: the site's base URL plus ``docname.html``."""
    return base_url.rstrip("/") + "/" + docname + ".html"


def long_date(iso: str) -> str:
    """'2026-11-28' -> '28 November 2026'; a bare year stays as it is."""
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# --------------------------------------------------------------------------- BibTeX


def bibtex_key(docname: str, year: str, prefix: str = "halfopen") -> str:
    """A BibTeX key derived from the page name: ``chapters/01_background`` -> ``halfopen2026:01-background``."""
    name = docname.rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "page"
    return f"{prefix}{year}:{name}"


_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
}


def bibtex_escape(text: str) -> str:
    """Escape LaTeX/BibTeX specials so any title yields a field with balanced braces."""
    return "".join(_BIBTEX_SPECIALS.get(c, c) for c in text)


def _bibtex_names(entries: list[dict[str, Any]]) -> str:
    names = []
    for person in entries:
        if "name" in person:  # an entity: protect it from being split into first/last names
            names.append("{" + bibtex_escape(str(person["name"])) + "}")
        else:
            names.append(bibtex_escape(person_name(person)))
    return " and ".join(names)


def _bibtex_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body},\n}}"


def chapter_bibtex(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> str:
    """The BibTeX entry of one page: ``@incollection`` in the book, or ``@book`` for the landing page."""
    url = page_url(meta["base_url"], docname)
    author = ("author", _bibtex_names(meta["author_entries"]))
    tail = [
        ("year", meta["year"]),
        ("month", meta["date"][5:7].lstrip("0") if len(meta["date"]) >= 7 else ""),
        ("version", meta["version"]),
        ("url", url),
        ("note", f"Version {meta['version']}, released {meta['date']}" if meta["version"] else ""),
    ]
    if whole_book:
        return _bibtex_entry(
            "book", bibtex_key("book", meta["year"]), [author, ("title", bibtex_escape(meta["title"])), *tail]
        )
    fields = [
        author,
        ("title", bibtex_escape(title)),
        ("booktitle", bibtex_escape(meta["title"])),
        ("publisher", bibtex_escape(meta["authors"][0]) if meta["authors"] else ""),
        *tail,
    ]
    return _bibtex_entry("incollection", bibtex_key(docname, meta["year"]), fields)


def paper_key(paper: dict[str, Any]) -> str:
    """The key of the original paper, as in references.bib: first author's family name + year."""
    family = str(paper["authors"][0].get("family-names") or paper["authors"][0].get("name", "anon"))
    family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", family.lower()) + str(paper.get("year", ""))


def paper_bibtex(paper: dict[str, Any]) -> str:
    """The BibTeX entry of the original paper (the CFF ``preferred-citation``)."""
    pages = f"{paper['start']}--{paper['end']}" if paper.get("start") and paper.get("end") else ""
    fields = [
        ("author", _bibtex_names(paper["authors"])),
        ("title", bibtex_escape(str(paper["title"]))),
        ("journal", bibtex_escape(str(paper.get("journal", "")))),
        ("volume", str(paper.get("volume", ""))),
        ("number", str(paper.get("issue", ""))),
        ("pages", pages),
        ("year", str(paper.get("year", ""))),
        ("doi", str(paper.get("doi", ""))),
        ("url", str(paper.get("url", ""))),
    ]
    return _bibtex_entry("article", paper_key(paper), fields)


# --------------------------------------------------------------------------- formatted references


def _names_apa(entries: list[dict[str, Any]]) -> str:
    names = []
    for p in entries:
        if "name" in p:
            names.append(str(p["name"]))
        else:
            names.append(f"{p.get('family-names', '')}, {_initials(str(p.get('given-names', '')))}".strip(", "))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def chapter_reference(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> dict[str, str]:
    """The parts of the formatted reference of a page (the caller sets the book title in italics)."""
    version = f"version {meta['version']}, " if meta["version"] else ""
    return {
        "authors": "; ".join(meta["authors"]),
        "year": meta["year"],
        "chapter": "" if whole_book else title,
        "book": meta["title"],
        "details": f"{version}{long_date(meta['date'])}",
        "url": page_url(meta["base_url"], docname),
    }


def chapter_reference_text(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> str:
    """The formatted reference of a page as plain text."""
    r = chapter_reference(title, docname, meta, whole_book)
    chapter = f"“{r['chapter']}”. In " if r["chapter"] else ""
    return f"{r['authors']} ({r['year']}). {chapter}{r['book']}, {r['details']}. {r['url']}"


def paper_reference_text(paper: dict[str, Any]) -> str:
    """The original paper formatted in author–year style, with its DOI link."""
    issue = f"({paper['issue']})" if paper.get("issue") else ""
    pages = f", {paper['start']}–{paper['end']}" if paper.get("start") and paper.get("end") else ""
    doi = f" https://doi.org/{paper['doi']}" if paper.get("doi") else ""
    return (
        f"{_names_apa(paper['authors'])} ({paper.get('year', '')}). {paper['title']}. "
        f"{paper.get('journal', '')}, {paper.get('volume', '')}{issue}{pages}.{doi}"
    )


# --------------------------------------------------------------------------- meta tags


def meta_tags(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> list[tuple[str, str]]:
    """The (name, content) pairs of the page's citation metadata, in order."""
    url = page_url(meta["base_url"], docname)
    tags: list[tuple[str, str]] = [("citation_title", meta["title"] if whole_book else title)]
    tags += [("citation_author", name) for name in meta["authors"]]
    if meta["date"]:
        tags.append(("citation_publication_date", meta["date"].replace("-", "/")))
    if not whole_book:
        tags += [("citation_inbook_title", meta["title"]), ("citation_book_title", meta["title"])]
    if meta["version"]:
        tags.append(("citation_version", meta["version"]))
    tags += [("citation_public_url", url), ("citation_language", "en")]
    paper = meta.get("paper")
    if paper:
        tags.append(("citation_reference", paper_citation_reference(paper)))
    tags.append(("DC.title", meta["title"] if whole_book else title))
    tags += [("DC.creator", name) for name in meta["authors"]]
    if meta["date"]:
        tags.append(("DC.date", meta["date"]))
    if not whole_book:
        tags.append(("DC.relation.ispartof", meta["title"]))
    tags += [("DC.identifier", url), ("DC.type", "Text"), ("DC.language", "en")]
    if paper and paper.get("doi"):
        tags.append(("DC.relation", f"https://doi.org/{paper['doi']}"))
    return tags


def paper_citation_reference(paper: dict[str, Any]) -> str:
    """The paper as a Highwire ``citation_reference`` value (``key=value; ...``)."""
    parts = [f"citation_author={person_name(a)}" for a in paper["authors"]]
    parts.append(f"citation_title={paper['title']}")
    for tag, field in (
        ("citation_journal_title", "journal"),
        ("citation_volume", "volume"),
        ("citation_issue", "issue"),
        ("citation_firstpage", "start"),
        ("citation_lastpage", "end"),
        ("citation_publication_date", "year"),
        ("citation_doi", "doi"),
    ):
        if paper.get(field):
            parts.append(f"{tag}={paper[field]}")
    return "; ".join(parts)


def meta_html(tags: list[tuple[str, str]]) -> str:
    """The tags as HTML ``<meta>`` elements, escaped."""
    return "".join(
        f'\n<meta name="{html.escape(name, quote=True)}" content="{html.escape(content, quote=True)}" />'
        for name, content in tags
    )


# --------------------------------------------------------------------------- author-year bibliography


def author_year_label(last_names: list[str], year: str) -> str:
    """An author–year label: 'Nam 2012', 'Lee and Kwak 2012', 'Janssen et al. 2012'."""
    names = [n.replace("{", "").replace("}", "") for n in last_names]
    if not names:
        who = "Anon."
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {year}".strip()


def disambiguate(labels: list[str]) -> list[str]:
    """Equal labels get letters in order: ['OECD 2016', 'OECD 2016'] -> ['OECD 2016a', 'OECD 2016b']."""
    out = []
    for i, label in enumerate(labels):
        same = [j for j, other in enumerate(labels) if other == label]
        out.append(label + "abcdefghijklmnopqrstuvwxyz"[same.index(i)] if len(same) > 1 else label)
    return out


def _register_bibliography_style() -> None:
    """Register the pybtex style ``halfopen_author_year``: plain entries, author–year labels, sorted by author."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabelStyle(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            labels = []
            for entry in sorted_entries:
                persons = entry.persons.get("author") or entry.persons.get("editor") or []
                last = [" ".join(p.prelast_names + p.last_names) for p in persons]
                labels.append(author_year_label(last, entry.fields.get("year", "")))
            yield from disambiguate(labels)

    class AuthorYearStyle(PlainStyle):
        default_label_style = AuthorYearLabelStyle
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", "halfopen_author_year", AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", "halfopen_author_year", AuthorYearStyle, force=True)


#: pybtex plugins looked up again and again during a build: the plain-text backend once for
#: every citation sphinxcontrib-bibtex resolves, the style's name and sorting plugins each
#: time a bibliography is formatted.
REPEATED_PLUGINS = [
    ("pybtex.backends", "plaintext"),
    ("pybtex.style.names", "plain"),
    ("pybtex.style.sorting", "author_year_title"),
]


def _resolve_repeated_plugins() -> None:
    """Look each of :data:`REPEATED_PLUGINS` up once, and register the class found.

    pybtex answers a lookup from its registered plugins first, and otherwise scans every
    installed package's entry points (about 15 ms each here): 0.6 s of a fresh build's Sphinx
    time went on the lookups for its citations (measured). Registering the very class that the
    entry point names makes every later lookup a dictionary read with the same answer.
    """
    from pybtex.plugin import find_plugin, register_plugin

    for group, name in REPEATED_PLUGINS:
        register_plugin(group, name, find_plugin(group, name), force=True)


# --------------------------------------------------------------------------- Sphinx wiring


def _meta(app: Any) -> dict[str, Any]:
    cached = getattr(app, "_halfopen_citation_meta", None)
    if cached is None:
        path = Path(app.srcdir) / app.config.halfopen_citation_file
        if not path.exists():
            from sphinx.errors import ExtensionError

            raise ExtensionError(f"halfopen.sphinx_ext: {path} not found (the book's citation metadata)")
        cached = book_metadata(load_citation(path), app.config.html_baseurl)
        app._halfopen_citation_meta = cached  # on the app, not the pickled env: read afresh per build
    return cached


def _title(app: Any, docname: str) -> str:
    node = app.env.titles.get(docname)
    return node.astext() if node is not None else docname


def _is_root(app: Any, docname: str) -> bool:
    return docname == getattr(app.config, "root_doc", "index")


def add_cite_block(app: Any, doctree: Any, docname: str) -> None:
    """Append the 'Cite this chapter' block to a page (HTML builders only)."""
    from docutils import nodes

    if app.builder.format != "html":
        return
    meta = _meta(app)
    whole = _is_root(app, docname)
    title = _title(app, docname)
    ref = chapter_reference(title, docname, meta, whole)

    block = nodes.admonition(classes=["cite-this-chapter", "tip"], ids=[BLOCK_ID])
    block += nodes.title(text="Cite this book" if whole else "Cite this chapter")
    para = nodes.paragraph(classes=["cite-reference"])
    para += nodes.Text(f"{ref['authors']} ({ref['year']}). ")
    if ref["chapter"]:
        para += nodes.Text(f"“{ref['chapter']}”. In ")
    para += nodes.emphasis(text=ref["book"])
    para += nodes.Text(f", {ref['details']}. ")
    para += nodes.reference(ref["url"], ref["url"], refuri=ref["url"])
    block += para
    block += nodes.literal_block(
        chapter_bibtex(title, docname, meta, whole),
        chapter_bibtex(title, docname, meta, whole),
        language="bibtex",
        classes=["cite-bibtex"],
    )
    paper = meta.get("paper")
    if paper:
        intro = nodes.paragraph()
        intro += nodes.Text("This book reproduces, and should be cited together with, the original paper: ")
        block += intro
        text = paper_reference_text(paper)
        doi_url = f"https://doi.org/{paper['doi']}" if paper.get("doi") else ""
        ppara = nodes.paragraph(classes=["cite-paper"])
        if doi_url and text.endswith(doi_url):
            ppara += nodes.Text(text[: -len(doi_url)])
            ppara += nodes.reference(doi_url, doi_url, refuri=doi_url)
        else:
            ppara += nodes.Text(text)
        block += ppara
        bib = paper_bibtex(paper)
        block += nodes.literal_block(bib, bib, language="bibtex", classes=["cite-bibtex", "cite-paper-bibtex"])

    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    (sections[-1] if sections else doctree).append(block)


def add_meta_tags(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Add the page's citation meta tags to the HTML head (pages with a source document only)."""
    if doctree is None or pagename not in app.env.all_docs:
        return
    meta = _meta(app)
    tags = meta_tags(_title(app, pagename), pagename, meta, _is_root(app, pagename))
    context["metatags"] = context.get("metatags", "") + meta_html(tags)


def dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Drop repeated script entries from the page.

    With launch buttons on, Jupyter Book's theme and sphinx-thebe each register the same
    inline ``const THEBE_JS_URL = ...`` script, and a browser then throws "Identifier
    'THEBE_JS_URL' has already been declared" on every page. Keeping the first of identical
    entries (same file, or same inline body, and same attributes) removes the error and
    changes nothing else.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for js in scripts:
        attrs = getattr(js, "attributes", {}) or {}
        # the same script registered twice may differ only in its priority: compare without it
        filename = str(getattr(js, "filename", js) or "")
        key = (filename, str(attrs.get("body", "")), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


class _StatusDirective(SphinxDirective):
    """Render MyST produced by :mod:`halfopen.status` while the book is built."""

    has_content = False

    def markdown(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self) -> list[Any]:
        container = nodes.container()
        lines = StringList(self.markdown().splitlines(), source=self.env.docname)
        self.state.nested_parse(lines, self.content_offset, container)
        return container.children


class RunTableDirective(_StatusDirective):
    """``{halfopen-run-table}``: each chapter's last execution, from the staged run record."""

    def markdown(self) -> str:
        path = Path(self.env.srcdir) / _run.RUN_RECORD_FILE
        self.env.note_dependency(str(path))
        return _status.run_markdown(path)


class EnvironmentDirective(_StatusDirective):
    """``{halfopen-environment}``: Python, platform and every package against its pin."""

    def markdown(self) -> str:
        return environment_markdown()


@functools.cache
def environment_markdown() -> str:
    """The status page's environment table, made once per building process.

    It reads every installed package's metadata (0.2 s); what is installed does not change
    while the book is built, so :func:`warm_up` can make it before the build starts.
    """
    return _status.environment_markdown()


def warm_up(app: Any) -> None:
    """Do ahead of time the one-time work with which this book's build starts its pages.

    :mod:`halfopen.sphinx_child` calls it in a Sphinx set up while the chapters execute,
    before the build is allowed to start; a plain ``jupyter-book build`` never calls it.
    Each step fills a cache that the build would fill, the same way, on first use, so the
    pages come out the same; a step that fails is left for the build, which then meets
    the same failure where it belongs. Together about 0.3 s of an incremental build
    (measured): the status page's environment table; the page template and every template
    it names, compiled by Jinja; and soupsieve, whose import by the theme's first CSS
    selection compiles its expressions.
    """
    steps = [environment_markdown, lambda: _compile_templates(app), _select_once]
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001, S112 - only a head start; the build does it properly
            continue


def _compile_templates(app: Any, first: str = "page.html") -> None:
    from jinja2 import meta

    env = app.builder.templates.environment
    seen, todo = set(), [first]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)  # compiled and kept in Jinja's cache
            source = env.loader.get_source(env, name)[0]
        except Exception:  # noqa: BLE001, S112 - e.g. an optional include that isn't there
            continue
        # names given as constants; a name computed while rendering is left for the build
        todo.extend(n for n in meta.find_referenced_templates(env.parse(source)) if n)


def _select_once() -> None:
    from bs4 import BeautifulSoup

    BeautifulSoup("<p></p>", "html.parser").select("p")


#: Front matter that makes a MyST Markdown file open as a notebook again (jupytext, MyST-NB).
MYST_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def notebook_to_myst(nb: dict[str, Any], drop_tags: tuple[str, ...] = ("hide-input",)) -> str:
    """A notebook's cells as MyST Markdown (the MyST-NB text format), outputs left out.

    Markdown cells stay as they are (``+++`` separates two in a row), code cells become
    ``{code-cell}`` blocks with their tags. ``drop_tags`` are removed: the build adds
    ``hide-input`` to every code cell for the web page, which is not part of the chapter.
    """
    parts = [MYST_HEADER]
    previous = None
    for cell in nb["cells"]:
        source = "".join(cell.get("source", [])).strip("\n")
        if cell["cell_type"] == "markdown":
            if previous == "markdown":
                parts.append("+++\n")
            parts.append(source + "\n")
        elif cell["cell_type"] == "code":
            tags = [t for t in cell.get("metadata", {}).get("tags", []) if t not in drop_tags]
            options = f":tags: [{', '.join(tags)}]\n\n" if tags else ""
            parts.append(f"```{{code-cell}} ipython3\n{options}{source}\n```\n")
        previous = cell["cell_type"]
    return "\n".join(parts)


def add_markdown_download(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """For a notebook chapter, write its MyST Markdown beside the ``.ipynb`` in ``_sources``
    and add a ``.md`` entry to the page's download menu, so readers get both formats."""
    if doctree is None or context.get("page_source_suffix") != ".ipynb":
        return
    import json

    nb = json.loads(Path(app.env.doc2path(pagename)).read_text(encoding="utf-8"))
    target = Path(app.outdir) / "_sources" / f"{pagename}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(notebook_to_myst(nb), encoding="utf-8")
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(
                1,
                {
                    "type": "link",
                    "url": f"{context['pathto']('_sources', 1)}/{pagename}.md",
                    "text": ".md",
                    "icon": "fas fa-file-lines",
                    "tooltip": "Download as MyST Markdown",
                    "label": "download-markdown-button",
                },
            )


def setup(app: Any) -> dict[str, Any]:
    _register_bibliography_style()
    _resolve_repeated_plugins()
    app.add_config_value("halfopen_citation_file", CITATION_FILE, "env")
    app.connect("doctree-resolved", add_cite_block)
    app.connect("html-page-context", add_meta_tags)
    app.connect("html-page-context", dedupe_scripts)
    # after the theme has built its download menu (default priority 500)
    app.connect("html-page-context", add_markdown_download, priority=900)
    app.add_directive("halfopen-run-table", RunTableDirective)
    app.add_directive("halfopen-environment", EnvironmentDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
