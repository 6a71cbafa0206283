"""``python -m halfopen build|run|params``: the command users know, kept as it was.

The commands belong to the book machinery (:mod:`halfopen_book.cli`); this module only hands
over to it. No chapter imports it, so it ties nothing in the study to the machinery.
"""

import sys

from halfopen_book.cli import main

if __name__ == "__main__":
    sys.exit(main())
