"""The study: what the chapters of the reproducible edition of O'Connor, Janenova & Knox
(2019) import. The book machinery is the separate package ``halfopen_book``, which no chapter
imports. ``docs/architecture.md`` says which module holds what; in short:

- :mod:`halfopen.paths`    where things are (one place, overridable);
- :mod:`halfopen.data`     validated loading of ``data/`` (frictionless; rules and hints in
  :mod:`halfopen.rules` and :mod:`halfopen.validation`);
- :mod:`halfopen.derive`   Table 1 and Table 3, the values the paper derives;
- :mod:`halfopen.events`   the paper's dated events and the one timeline;
- :mod:`halfopen.diagram`  Figure 1, from declarative boxes and arrows;
- :mod:`halfopen.method`   the update (chapters 13 to 15): countries, measures, classes, the
  window and the changes; each source's tables and figures in :mod:`halfopen.freedom_house`,
  :mod:`halfopen.open_budget`, :mod:`halfopen.egov_survey` and :mod:`halfopen.timeseries`;
  the chapters' sentences in :mod:`halfopen.sentences`; :mod:`halfopen.levels` (chapter 14)
  and :mod:`halfopen.multiverse` (chapter 15);
- :mod:`halfopen.report`   published values beside the values the book computes.
"""

__version__ = "0.3.0"
