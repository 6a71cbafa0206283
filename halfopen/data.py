"""Load the book's source tables, validated once against one descriptor.

Every table in ``data/`` is a CSV described in ``data/datapackage.json``, a Frictionless Data
Package (``tabular-data-package``, each resource a ``tabular-data-resource`` with its CSV
dialect): its schema (column types, required values, ranges, allowed values, keys, references
to other tables), the book's own rules across cells (``checks``) and its provenance.

Each file is parsed by one reader, :func:`halfopen.reader.read_table`. :func:`validate`
checks the whole package: ``frictionless`` checks the records that reader returned (given as
inline data, so it parses no CSV of its own) against the standard and runs the book's rules as
frictionless checks (:mod:`halfopen.rules`); :mod:`halfopen.validation` words every problem.
On any problem it raises one
:class:`DataError` whose message names the file, the row as a spreadsheet counts it (the header
is row 1), the column, the value and the rule broken. A valid result is remembered by the
SHA-256 of the descriptor, of the tables and of the code that validates, so a second call on
unchanged tables only hashes them (and imports no ``frictionless``).

:func:`load` validates (a cache hit after the first time), then reads the table with the same
reader, types each cell as its schema says (:func:`halfopen.validation.typed`, which reads every
cell validation accepts as the standard does) and returns a :class:`pandas.DataFrame`. It needs
no ``frictionless``, so loading stays fast. Every file it stands on is recorded
(see :func:`record_read`), so the runner knows which tables a chapter actually read and can
re-execute exactly the chapters a data edit touches.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths, reader, validation
from .validation import MAX_LISTED_PROBLEMS, DataError, Problem  # noqa: F401 (the loader's interface)

if TYPE_CHECKING:  # pandas is imported by load(): validating, as the runner does, needs none
    import pandas as pd

READ_LOG_ENV = "HALFOPEN_READ_LOG"
#: Where valid results are remembered (default ``_build/validated``, which git ignores).
VALIDATED_DIR_ENV = "HALFOPEN_VALIDATED_DIR"
_display = validation.display

# --------------------------------------------------------------------------- reading log


def record_read(path: Path) -> None:
    """Note that ``path`` was read, in the file named by ``$HALFOPEN_READ_LOG`` (if set).

    The runner sets the variable for each chapter it executes; the kernel inherits it. Each
    line is a JSON object with the file's path and the SHA-256 of the bytes read.
    """
    log = os.environ.get(READ_LOG_ENV)
    if not log:
        return
    path = Path(path).resolve()
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"path": str(path), "sha256": digest}) + "\n")


# --------------------------------------------------------------------------- descriptor


def _read_descriptor(folder: Path) -> tuple[bytes, dict[str, Any]]:
    path = folder / paths.DESCRIPTOR_NAME
    if not path.exists():
        raise DataError([Problem(_display(path), "the descriptor file is missing")])
    raw = path.read_bytes()
    try:
        desc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError([Problem(_display(path), "is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        raise DataError([Problem(_display(path), f"is not valid JSON ({exc.msg} at line {exc.lineno})")]) from None
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        raise DataError([Problem(_display(path), "is not a data package: it has no list of 'resources'")])
    return raw, desc


def descriptor(data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The data package descriptor (``datapackage.json``) of ``data_dir``."""
    folder = paths.data_dir(data_dir)
    record_read(folder / paths.DESCRIPTOR_NAME)
    return _read_descriptor(folder)[1]


def resource(name: str, data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The descriptor entry of the table ``name``."""
    desc = descriptor(data_dir)
    for res in desc["resources"]:
        if res["name"] == name:
            return res
    known = ", ".join(sorted(r["name"] for r in desc["resources"]))
    raise KeyError(f"no table named {name!r} in the descriptor; known tables: {known}")


def table_names(data_dir: str | os.PathLike | None = None) -> list[str]:
    """Names of all tables the descriptor describes, in descriptor order."""
    return [r["name"] for r in descriptor(data_dir)["resources"]]


# --------------------------------------------------------------------------- validation

#: The code whose change can change a verdict: it salts every cache key.
_CODE = ("data.py", "reader.py", "validation.py", "rules.py", "package_check.py", "derive.py", "diagram.py")
_salt_cache: list[str] = []


def _salt() -> str:
    if not _salt_cache:
        h = hashlib.sha256()
        for name in _CODE:
            path = Path(__file__).with_name(name)
            h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
        try:
            h.update(metadata.version("frictionless").encode())
        except metadata.PackageNotFoundError:
            pass
        _salt_cache.append(h.hexdigest())
    return _salt_cache[0]


def _validated_dir() -> Path:
    return Path(os.environ.get(VALIDATED_DIR_ENV) or paths.BUILD_DIR / "validated")


def _file_digest(folder: Path, res: dict[str, Any]) -> str:
    rel = res.get("path")
    if not isinstance(rel, str):
        return "no path"
    path = folder / rel
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _with_reads(resources: list[dict[str, Any]], names: list[Any]) -> list[dict[str, Any]]:
    """The resources ``names`` and every table their validation reads (recursively), each after
    the tables it reads (descriptor order otherwise)."""
    by_name = {r.get("name"): r for r in resources}
    done: dict[Any, dict[str, Any]] = {}

    def visit(name: Any, stack: tuple = ()) -> None:
        if name in done or name in stack or name not in by_name:
            return
        for dep in validation.tables_read(by_name[name]):
            visit(dep, stack + (name,))
        done[name] = by_name[name]

    for name in names:
        visit(name)
    return list(done.values())


def _keys(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The descriptor and the cache key of every verdict: the package's and each table's.

    A table's key is the SHA-256 of the code, the descriptor, the table's file and the files
    of the tables its validation reads (its foreign keys' targets, its checks' tables).
    """
    raw, desc = _read_descriptor(folder)
    salt = _salt()
    resources = [r for r in desc["resources"] if isinstance(r, dict)]
    digests = {r.get("name"): _file_digest(folder, r) for r in resources}
    desc_digest = hashlib.sha256(raw).hexdigest()
    keys = {"": hashlib.sha256(f"{salt}\0package\0{desc_digest}".encode()).hexdigest()}
    for r in resources:
        parts = [salt, desc_digest, str(r.get("name")), digests[r.get("name")]]
        parts += [f"{d}={digests.get(d, 'unknown')}" for d in validation.tables_read(r)]
        keys[str(r.get("name"))] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return desc, keys


def _remember(key: str, what: str) -> None:
    folder = _validated_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}"
        tmp.write_text(json.dumps({"valid": what}) + "\n", encoding="utf-8")
        os.replace(tmp, folder / key)
    except OSError:  # a read-only checkout: validate again next time
        pass


def validated(data_dir: str | os.PathLike | None = None) -> bool:
    """Whether the tables of ``data_dir``, as they are now, are known to be valid (only hashes)."""
    try:
        _, keys = _keys(paths.data_dir(data_dir))
    except DataError:
        return False
    cache = _validated_dir()
    return all((cache / key).exists() for key in keys.values())


def validate(data_dir: str | os.PathLike | None = None) -> None:
    """Validate every table of ``data_dir`` against its descriptor, or raise :class:`DataError`.

    :func:`halfopen.reader.read_table` reads each file once, refusing what the standard
    would misread; ``frictionless`` then checks what was read, as inline data (types,
    constraints, keys, foreign keys), and the book's rules (:mod:`halfopen.rules`), after
    checking the descriptor against the standard's profiles. A table is validated after the tables
    it reads; when one of those is invalid, the message names that one, not the tables that
    refer to it. Valid verdicts are remembered (see :data:`VALIDATED_DIR_ENV`).
    """
    folder = paths.data_dir(data_dir)
    desc, keys = _keys(folder)
    cache = _validated_dir()
    todo = {name for name, key in keys.items() if not (cache / key).exists()}
    if not todo:
        return
    from . import package_check  # frictionless: imported only when something is to be validated

    if "" in todo:
        problems = package_check.package_problems(folder / paths.DESCRIPTOR_NAME)
        if problems:
            raise DataError(problems)
        _remember(keys[""], "package")
    resources = [r for r in desc["resources"] if isinstance(r, dict)]
    tables: dict[str, reader.Table] = {}
    unread: dict[str, list[Problem]] = {}
    for res in resources:  # each file is read once, here; frictionless validates what was read
        try:
            tables[res["name"]] = reader.read_table(folder / res["path"])
        except DataError as exc:
            unread[res["name"]] = exc.problems
    runner = package_check.Runner(folder / paths.DESCRIPTOR_NAME, desc, tables)
    problems, failed = [], set()
    for res in _with_reads(resources, [r.get("name") for r in resources]):
        name = res["name"]
        if name not in todo:
            continue
        if any(dep in failed for dep in validation.tables_read(res)):
            failed.add(name)
            continue
        found = unread.get(name) or validation.header_problems(tables[name], res["schema"]["fields"])
        if not found:
            found = runner.resource_problems(res)
        if found:
            failed.add(name)
            problems.extend(found)
        else:
            _remember(keys[name], name)
    if problems:
        raise DataError(problems)


# --------------------------------------------------------------------------- loading

_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean"}


def load(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read table ``name`` from ``data_dir`` (validated first) and return it typed.

    Integers come back as pandas ``Int64`` (missing values allowed where not required),
    numbers as ``float64``, booleans as ``boolean``, text as ``object``.
    """
    import pandas as pd

    folder = paths.data_dir(data_dir)
    res = resource(name, folder)
    validate(folder)
    desc = _read_descriptor(folder)[1]
    for read in _with_reads(desc["resources"], [name]):  # the table and those its verdict stands on
        record_read(folder / read["path"])
    path = folder / res["path"]
    table = reader.read_table(path)
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    kinds = [f.get("type", "string") for f in fields]
    records = [[validation.typed(raw, kind) for raw, kind in zip(cells, kinds)] for _, cells in table.rows]
    frame = pd.DataFrame(records, columns=expected)
    for f, kind in zip(fields, kinds):
        frame[f["name"]] = frame[f["name"]].astype(_DTYPES.get(kind, object))
    frame.index = pd.RangeIndex(len(frame))
    frame.attrs["name"] = name
    frame.attrs["path"] = str(path)
    return frame


def load_all(data_dir: str | os.PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the descriptor, loaded and validated."""
    return {name: load(name, data_dir) for name in table_names(data_dir)}
