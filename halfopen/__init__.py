"""Shared code of the reproducible edition of O'Connor, Janenova & Knox (2019).

Modules by concern:

- :mod:`halfopen.paths`   where things are (one place, overridable);
- :mod:`halfopen.data`    the descriptor-driven loader that validates every table;
- :mod:`halfopen.derive`  values the paper derives (freedom rating, status, OBS bands, totals);
- :mod:`halfopen.figures` the one plotting theme and the book's figures;
- :mod:`halfopen.diagram` Figure 1, drawn from a declarative boxes-and-arrows table;
- :mod:`halfopen.report`  published values beside the values the book computes;
- :mod:`halfopen.run`     the papermill runner with its data-aware cache;
- :mod:`halfopen.build`   stage, build and swap the HTML book.
"""

__version__ = "0.2.0"
