"""Parameters from the command line and YAML files, and which chapter gets which.

Two forms, on the command line (``-p NAME VALUE``) and as keys of a YAML file (``-f``):

- ``NAME``: for every chapter of the run that declares ``NAME`` in its ``parameters`` cell;
- ``CHAPTER:NAME``: for that one chapter only (``13:countries``; the chapter by stem or a
  unique prefix, as on the command line). It takes precedence over ``NAME`` there.

Values are read as YAML (``-p countries "[Kazakhstan, Mongolia]"``). A parameter that no
chapter of the run declares, or that its named chapter doesn't declare, is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .chapters import Chapter, ChapterNotFound, find


class ParameterError(ValueError):
    """A parameter that no chapter declares, or a chapter name that isn't in the book."""


def parse(pairs: list[tuple[str, str]] | None, yaml_file: str | None) -> dict[str, Any]:
    """Parameters from a YAML file, then ``-p NAME VALUE`` pairs (values read as YAML)."""
    params: dict[str, Any] = {}
    if yaml_file:
        loaded = yaml.safe_load(Path(yaml_file).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ParameterError(f"{yaml_file}: a parameters file must be a mapping of names to values")
        params.update({str(k): v for k, v in loaded.items()})
    for name, value in pairs or []:
        params[name] = yaml.safe_load(value)
    return params


def resolve(selected: list[Chapter], given: dict[str, Any], everything: list[Chapter]) -> dict[str, dict[str, Any]]:
    """Per chapter of ``selected``, the parameters it gets (only those it declares).

    ``everything`` is the whole book, to name a chapter that is not in this run in an error.
    """
    broad = {k: v for k, v in given.items() if ":" not in k}
    aimed: dict[str, dict[str, Any]] = {}
    for key, value in given.items():
        if ":" not in key:
            continue
        target, name = key.split(":", 1)
        try:
            chapter = find(everything, target)
        except ChapterNotFound as exc:
            raise ParameterError(f"parameter {key!r}: {exc}") from None
        if chapter not in selected:
            raise ParameterError(f"parameter {key!r}: chapter {chapter.name} is not part of this run")
        if name not in chapter.declared:
            raise ParameterError(
                f"parameter {key!r}: chapter {chapter.name} does not declare {name!r}; "
                f"it declares: {', '.join(sorted(chapter.declared))}"
            )
        aimed.setdefault(chapter.name, {})[name] = value

    # A chapter's parameters are read only when one is given (reading them imports papermill).
    declared = set().union(*(c.declared for c in selected)) if broad and selected else set()
    unknown = sorted(set(broad) - declared)
    if unknown:
        raise ParameterError(
            f"no chapter of this run declares the parameter(s) {', '.join(unknown)}; "
            f"declared: {', '.join(sorted(declared))}"
        )
    out = {}
    for c in selected:
        params = {k: v for k, v in broad.items() if k in c.declared}
        params.update(aimed.get(c.name, {}))
        if params.get("data_dir") is not None:
            params["data_dir"] = str(Path(params["data_dir"]).resolve())
        out[c.name] = params
    return out
