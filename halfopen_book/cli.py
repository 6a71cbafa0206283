"""Command line of the book: ``python -m halfopen build|run|params`` (or ``python -m halfopen_book``).

python -m halfopen build [CHAPTER ...]         execute stale chapters, build _build/html
python -m halfopen run [CHAPTER ...]           execute chapters only (all, or those named)
python -m halfopen params                      list every chapter's parameters
    -p NAME VALUE           for every chapter that declares NAME (value read as YAML)
    -p CHAPTER:NAME VALUE   for that chapter only (e.g. -p 13:countries "[Kazakhstan, Mongolia]")
    -f FILE.yaml            parameters from a YAML file (same keys)
    -j N                    parallel workers (default: the machine's cores + 1)
    --force                 ignore the cache
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from halfopen.validation import DataError  # not halfopen.data, which imports pandas

from . import build as build_mod
from . import chapters as chapters_mod
from . import parameters as parameters_mod
from . import run as run_mod


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m halfopen", description=__doc__.splitlines()[0], formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("params", help="list every chapter's parameters: name, default, meaning")
    for name, help_text in (("run", "execute chapters with papermill"), ("build", "execute and build the HTML book")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("chapters", nargs="*", help="chapter names or number prefixes (default: all)")
        p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("[CHAPTER:]NAME", "VALUE"), default=[])
        p.add_argument("-f", "--parameters-file", metavar="FILE.yaml")
        p.add_argument("-j", "--jobs", type=int, default=None)
        p.add_argument("--force", action="store_true", help="re-execute every selected chapter")
        p.add_argument("--build-dir", type=Path, default=None, help="default: _build")
        p.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "params":
        print(chapters_mod.parameters_text())
        return 0
    try:
        params = parameters_mod.parse(args.parameter, args.parameters_file)
        if args.command == "run":
            results = run_mod.run(
                args.chapters, params, args.jobs, args.build_dir, None, args.force, not args.no_progress
            )
            print(run_mod.summary(results))
            return 1 if any(r.status == "failed" for r in results) else 0
        return build_mod.build(args.chapters, params, args.jobs, args.build_dir, None, args.force, not args.no_progress)
    except (parameters_mod.ParameterError, chapters_mod.ChapterNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"error: a table is invalid, so no chapter was executed.\n{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
