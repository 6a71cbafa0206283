"""Sphinx extension of the book: cite blocks, citation meta tags, status tables, downloads.

For every page of the book it

- adds citation metadata to the HTML head (Highwire ``citation_*`` tags, read by Google
  Scholar, Zotero and other reference managers, plus Dublin Core ``DC.*``);
- shows the book's version and release date in the footer (the theme's ``extra_footer``),
  the same as every cite block gives;
- appends a "Cite this chapter" block (id ``cite-this-chapter``) with a formatted reference,
  a BibTeX entry, and the citation of the original paper; not on the pages that are not worth
  citing (``halfopen_uncited_pages``: the bibliography and the status page), which get no
  citation meta tags either. Without a site address (``html_baseurl``) the block gives no URL
  and says that the book is not yet published online;
- for a notebook chapter, writes its MyST Markdown (by jupytext) beside the ``.ipynb`` in
  ``_sources`` and links both from the end of the page;

and it gives the appendices three directives whose tables are made while the book is built:
``halfopen-run-table`` (each chapter's last execution), ``halfopen-environment`` (Python and
every package against its pin) and ``halfopen-parameters`` (every chapter's parameters).

The texts come from :mod:`halfopen_book.citation` (plain functions, tested without a build);
the book's and the paper's metadata from ``CITATION.cff``. Only Sphinx's documented events,
directives and configuration values are used. Enabled in ``_config.yml``::

    sphinx:
      extra_extensions: [halfopen_book.sphinx_ext]
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from halfopen import __version__

from . import chapters as chapters_mod
from . import run, status
from .citation import (
    CITATION_FILE,
    UNCITED_PAGES,
    author_year_label,
    book_metadata,
    chapter_bibtex,
    chapter_reference,
    disambiguate,
    load_citation,
    long_date,
    meta_html,
    meta_tags,
    paper_bibtex,
    paper_reference_text,
)

BLOCK_ID = "cite-this-chapter"
#: What a cite block says instead of a URL when the book has no address.
UNPUBLISHED = "Not yet published online: this copy was built without a site address."


def register_bibliography_style() -> None:
    """Register the pybtex style ``halfopen_author_year`` (``_config.yml``'s
    ``bibtex_default_style``): pybtex's plain entries, author–year labels (:func:`author_year_label`,
    made distinct by :func:`disambiguate`), sorted by author. :func:`setup` calls it; pybtex
    finds the style by name afterwards, in Sphinx or outside it."""
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


# --------------------------------------------------------------------------- Sphinx wiring


@functools.lru_cache(maxsize=4)
def _metadata(path: str, modified: int, base_url: str) -> dict[str, Any]:
    return book_metadata(load_citation(path), base_url)


def _meta(app: Any) -> dict[str, Any]:
    """The book's citation metadata, read from the staged CITATION.cff (again when it changes)."""
    path = Path(app.srcdir) / app.config.halfopen_citation_file
    if not path.exists():
        from sphinx.errors import ExtensionError

        raise ExtensionError(f"halfopen_book.sphinx_ext: {path} not found (the book's citation metadata)")
    return _metadata(str(path), path.stat().st_mtime_ns, app.config.html_baseurl)


def version_line(meta: dict[str, Any]) -> str:
    """The footer's line: the version and release date of CITATION.cff, as the cite blocks give them."""
    return f"Version {meta['version']}, released {long_date(meta['date'])}."


def add_footer_version(app: Any, config: Any) -> None:
    """Show the book's version and release date (from ``CITATION.cff``) in every page's footer,
    through the theme's documented ``extra_footer`` option."""
    path = Path(app.srcdir) / config.halfopen_citation_file
    if not path.exists():
        return
    line = html.escape(version_line(book_metadata(load_citation(path))))
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = f'{options.get("extra_footer") or ""}<p class="halfopen-version">{line}</p>'
    config.html_theme_options = options


def _title(app: Any, docname: str) -> str:
    node = app.env.titles.get(docname)
    return node.astext() if node is not None else docname


def _is_root(app: Any, docname: str) -> bool:
    return docname == getattr(app.config, "root_doc", "index")


def is_cited(app: Any, docname: str) -> bool:
    """Whether a page gets a cite block and citation meta tags."""
    return docname not in app.config.halfopen_uncited_pages


def add_cite_block(app: Any, doctree: Any, docname: str) -> None:
    """Append the 'Cite this chapter' block to a page (HTML builders only)."""
    if app.builder.format != "html" or not is_cited(app, docname):
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
    if ref["url"]:
        para += nodes.reference(ref["url"], ref["url"], refuri=ref["url"])
    else:
        para += nodes.emphasis(text=UNPUBLISHED, classes=["cite-unpublished"])
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
    if doctree is None or pagename not in app.env.all_docs or not is_cited(app, pagename):
        return
    meta = _meta(app)
    tags = meta_tags(_title(app, pagename), pagename, meta, _is_root(app, pagename))
    context["metatags"] = context.get("metatags", "") + meta_html(tags)


class _StatusDirective(SphinxDirective):
    """Render MyST produced by :mod:`halfopen_book.status` while the book is built."""

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
        path = Path(self.env.srcdir) / run.RUN_RECORD_FILE
        self.env.note_dependency(str(path))
        return status.run_markdown(path)


class EnvironmentDirective(_StatusDirective):
    """``{halfopen-environment}``: build date, commit, every data source's edition, then
    Python, platform and every package against its pin (folded away)."""

    def markdown(self) -> str:
        from halfopen import paths

        self.env.note_dependency(str(paths.data_dir() / paths.DESCRIPTOR_NAME))
        return status.environment_markdown()


class ParametersDirective(_StatusDirective):
    """``{halfopen-parameters}``: every chapter's parameters, read from the notebooks."""

    def markdown(self) -> str:
        root = Path(self.env.srcdir)
        for c in chapters_mod.chapters(root):
            self.env.note_dependency(str(c.path))
        return chapters_mod.parameters_markdown(root)


# --------------------------------------------------------------------------- downloads

#: Tags the build adds to a chapter for the web page, which are not part of the chapter.
BUILD_TAGS = ("hide-input",)


def notebook_to_myst(nb: dict[str, Any]) -> str:
    """A notebook as MyST Markdown (jupytext's ``md:myst`` format), without outputs and
    without the tags the build added for the web page."""
    import jupytext
    import nbformat

    notebook = nbformat.reads(json.dumps(nb), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        tags = [t for t in cell.metadata.get("tags", []) if t not in BUILD_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    return jupytext.writes(notebook, fmt="md:myst")


def _is_notebook(app: Any, docname: str) -> bool:
    return str(app.env.doc2path(docname)).endswith(".ipynb")


def add_download_links(app: Any, doctree: Any, docname: str) -> None:
    """End a notebook chapter's page with links to its two source formats."""
    if app.builder.format != "html" or not _is_notebook(app, docname):
        return
    here = app.builder.get_target_uri(docname)
    para = nodes.paragraph(classes=["chapter-downloads"])
    para += nodes.Text("This chapter as a file to run or read: ")
    for suffix, label in ((".ipynb", "Jupyter notebook (.ipynb)"), (".md", "MyST Markdown (.md)")):
        if suffix == ".md":
            para += nodes.Text(" or ")
        uri = relative_uri(here, f"_sources/{docname}{suffix}")
        para += nodes.reference(label, label, refuri=uri)
    para += nodes.Text(".")
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    (sections[-1] if sections else doctree).append(para)


def write_markdown_sources(app: Any, exception: Exception | None) -> None:
    """After the build, write each notebook chapter's MyST Markdown beside its ``.ipynb``."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        if not _is_notebook(app, docname):
            continue
        nb = json.loads(Path(app.env.doc2path(docname)).read_text(encoding="utf-8"))
        target = Path(app.outdir) / "_sources" / f"{docname}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook_to_myst(nb), encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    register_bibliography_style()
    app.add_config_value("halfopen_citation_file", CITATION_FILE, "env")
    app.add_config_value("halfopen_uncited_pages", list(UNCITED_PAGES), "env")
    app.connect("config-inited", add_footer_version)
    app.connect("doctree-resolved", add_cite_block)
    app.connect("doctree-resolved", add_download_links)
    app.connect("html-page-context", add_meta_tags)
    app.connect("build-finished", write_markdown_sources)
    app.add_directive("halfopen-run-table", RunTableDirective)
    app.add_directive("halfopen-environment", EnvironmentDirective)
    app.add_directive("halfopen-parameters", ParametersDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
