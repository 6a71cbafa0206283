"""Command line: ``python -m halfopen run|build``.

python -m halfopen build                       execute stale chapters, build _build/html
python -m halfopen run [CHAPTER ...]           execute chapters only (all, or those named)
    -p NAME VALUE   a parameter for every chapter that declares it (value read as YAML)
    -f FILE.yaml    parameters from a YAML file
    -j N            parallel workers (default: the machine's cores + 1)
    --force         ignore the cache
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build as build_mod
from . import run as run_mod


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m halfopen", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("run", "execute chapters with papermill"), ("build", "execute and build the HTML book")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("chapters", nargs="*", help="chapter names or number prefixes (default: all)")
        p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[])
        p.add_argument("-f", "--parameters-file", metavar="FILE.yaml")
        p.add_argument("-j", "--jobs", type=int, default=None)
        p.add_argument("--force", action="store_true", help="re-execute every selected chapter")
        p.add_argument("--build-dir", type=Path, default=None, help="default: _build")
        p.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:
        params = run_mod.parse_parameters(args.parameter, args.parameters_file)
        if args.command == "run":
            results = run_mod.run(
                args.chapters, params, args.jobs, args.build_dir, None, args.force, not args.no_progress
            )
            print(run_mod.summary(results))
            return 1 if any(r.status == "failed" for r in results) else 0
        return build_mod.build(args.chapters, params, args.jobs, args.build_dir, None, args.force, not args.no_progress)
    except run_mod.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
