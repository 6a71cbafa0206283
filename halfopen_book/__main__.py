"""``python -m halfopen_book``: the book's command line (:mod:`halfopen_book.cli`)."""

import sys

from .cli import main

sys.exit(main())
