"""The book machinery: it turns the study (the ``halfopen`` package, the chapters and
``data/``) into the published book. Chapters never import it, and editing it re-executes
no chapter.

- :mod:`halfopen_book.chapters`   the toc's chapters, their parameters and the study code they import;
- :mod:`halfopen_book.parameters` ``-p NAME VALUE`` / ``-p CHAPTER:NAME VALUE`` and YAML files;
- :mod:`halfopen_book.run`        papermill runner with the data-aware cache;
- :mod:`halfopen_book.build`      stage, strict Jupyter Book build, publish, swap;
- :mod:`halfopen_book.sphinx_ext` cite blocks, meta tags, status tables, downloads;
- :mod:`halfopen_book.citation`   the texts of the cite blocks and meta tags, from CITATION.cff;
- :mod:`halfopen_book.status`     the status appendix's tables;
- :mod:`halfopen_book.pdf`        PDFs of the built pages (headless Chromium);
- :mod:`halfopen_book.cli`        ``python -m halfopen_book`` (also ``python -m halfopen``).
"""
