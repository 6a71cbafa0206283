"""The book's chapters and their parameters (halfopen_book.chapters, halfopen_book.parameters).

Pure functions on small hand-made notebooks and on the book's own table of contents; the
runner's tests (test_runner.py) prove that the parameters reach the kernels.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from halfopen_book import chapters, parameters

ROOT = Path(__file__).resolve().parent.parent
CH02 = "02_open_government_in_central_asia"


def make_notebook(path: Path, parameters_cell: str | None, body: str = "x = 1") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if parameters_cell is not None:
        nb.cells.append(nbformat.v4.new_code_cell(parameters_cell, metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(body))
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def chapter(tmp_path: Path, name: str, declared: list[str]) -> chapters.Chapter:
    return chapters.Chapter(name, tmp_path / f"{name}.ipynb", {n: chapters.Parameter(n, "None", "") for n in declared})


BOOK = ["01_background", "02_central_asia", "13_update", "a1_data", "a2_report"]


@pytest.fixture()
def book(tmp_path):
    return [
        chapter(tmp_path, "01_background", ["data_dir"]),
        chapter(tmp_path, "02_central_asia", ["data_dir", "edition", "countries"]),
        chapter(tmp_path, "13_update", ["data_dir", "countries", "start_year"]),
        chapter(tmp_path, "a1_data", ["data_dir"]),
        chapter(tmp_path, "a2_report", ["data_dir"]),
    ]


# --------------------------------------------------------------------------- the book's chapters


def test_chapters_come_in_toc_order_with_their_parameters_and_meanings():
    found = chapters.chapters(ROOT)
    docs = chapters.toc_documents(ROOT)
    assert docs[0] == "intro" and "chapters/01_background" in docs
    assert [c.name for c in found] == [Path(d).name for d in docs if (ROOT / f"{d}.ipynb").exists()]
    missing = [c.name for c in found if "data_dir" not in c.declared]
    assert not missing, f"chapters without a data_dir parameter: {missing}"
    by_name = {c.name: c for c in found}
    assert by_name[CH02].parameters["edition"].default == "2019"
    undocumented = [f"{c.name}:{p.name}" for c in found for p in c.parameters.values() if not p.help.strip()]
    assert not undocumented, f"parameters without a meaning (a comment on their line): {undocumented}"


def test_declared_parameters_read_names_defaults_and_comments(tmp_path):
    nb = make_notebook(
        tmp_path / "c.ipynb",
        "data_dir = None  # the folder of tables\nedition = 2019  # Freedom House edition\n"
        "countries = ['Kazakhstan']\n",
    )
    found = chapters.declared_parameters(nb)
    assert list(found) == ["data_dir", "edition", "countries"]
    assert found["edition"].default == "2019" and found["edition"].help == "Freedom House edition"
    assert found["countries"].default == "['Kazakhstan']"
    assert chapters.declared_parameters(make_notebook(tmp_path / "d.ipynb", None, "edition = 2019")) == {}


def test_the_parameters_listing_names_every_chapter_and_parameter():
    text = chapters.parameters_markdown(ROOT)
    for c in chapters.chapters(ROOT):
        for name in c.parameters:
            assert f"| `{c.name}` | `{name}` |" in text


def test_study_modules_follow_imports_inside_the_study_package_only(tmp_path):
    nb = make_notebook(tmp_path / "c.ipynb", "data_dir = None", "import pandas\nfrom halfopen import diagram\n")
    found = {p.name for p in chapters.study_modules(nb, ROOT)}
    assert "diagram.py" in found and "__init__.py" in found
    assert not any("halfopen_book" in str(p) for p in chapters.study_modules(nb, ROOT))
    other = make_notebook(tmp_path / "e.ipynb", "data_dir = None", "from halfopen import paths\n")
    assert "diagram.py" not in {p.name for p in chapters.study_modules(other, ROOT)}
    assert chapters.study_code_hash(nb, ROOT) != chapters.study_code_hash(other, ROOT)


def test_study_modules_follow_relative_and_late_imports_and_see_an_edited_import(tmp_path):
    package = tmp_path / "halfopen"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from . import b\nthing = 1\n", encoding="utf-8")
    (package / "b.py").write_text("def f():\n    from .c import x\n    return x\n", encoding="utf-8")
    (package / "c.py").write_text("import os\nx = 1\n", encoding="utf-8")
    (package / "d.py").write_text("y = 2\n", encoding="utf-8")
    nb = make_notebook(tmp_path / "c.ipynb", "data_dir = None", "from halfopen.a import thing\n")
    assert [p.name for p in chapters.study_modules(nb, tmp_path)] == ["__init__.py", "a.py", "b.py", "c.py"]
    (package / "b.py").write_text("from halfopen import d\n", encoding="utf-8")
    assert [p.name for p in chapters.study_modules(nb, tmp_path)] == ["__init__.py", "a.py", "b.py", "d.py"]


def test_papermill_reads_a_chapters_parameters_only_when_one_is_given():
    """Listing the chapters, hashing their study code and resolving no parameters (a build
    without -p) import no papermill; a parameter given does, to check that a chapter declares it."""
    probe = (
        "import sys\n"
        "from halfopen_book import chapters, parameters\n"
        "book = chapters.chapters()\n"
        "parameters.resolve(book, {}, book)\n"
        "[chapters.study_code_hash(c.path) for c in book]\n"
        "print('papermill' in sys.modules)\n"
        "parameters.resolve(book, {'data_dir': None}, book)\n"
        "print('papermill' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]


# --------------------------------------------------------------------------- selecting chapters


def test_select_by_stem_prefix_or_file_name_in_given_order(book):
    assert chapters.select(book, None) == book
    picked = chapters.select(book, ["a2", "02_central_asia", "chapters/01_background.ipynb", "02", "13"])
    assert [c.name for c in picked] == ["a2_report", "02_central_asia", "01_background", "13_update"]
    assert chapters.select(book, ["2", "1"]) == [book[1], book[0]]  # a number without its zero


@pytest.mark.parametrize("name", ["a", "99", "central"])
def test_select_rejects_ambiguous_or_unknown_names(book, name):
    with pytest.raises(chapters.ChapterNotFound, match=rf"no single chapter matches '{name}'.*01_background"):
        chapters.select(book, [name])


# --------------------------------------------------------------------------- parameters


def test_a_parameter_goes_to_every_chapter_that_declares_it(book):
    out = parameters.resolve(book, {"edition": 2025, "data_dir": "some/where"}, book)
    here = str(Path("some/where").resolve())
    assert out["02_central_asia"] == {"data_dir": here, "edition": 2025}
    assert out["01_background"] == {"data_dir": here}
    assert parameters.resolve(book, {}, book) == {c.name: {} for c in book}


def test_a_parameter_aimed_at_a_chapter_goes_to_it_alone_and_wins_there(book):
    given = {"countries": ["Kazakhstan"], "13:countries": ["Kazakhstan", "Mongolia"]}
    out = parameters.resolve(book, given, book)
    assert out["13_update"] == {"countries": ["Kazakhstan", "Mongolia"]}
    assert out["02_central_asia"] == {"countries": ["Kazakhstan"]}
    out = parameters.resolve(book, {"13_update:start_year": 2013}, book)
    assert out["13_update"] == {"start_year": 2013} and out["02_central_asia"] == {}


@pytest.mark.parametrize(
    "given, selected, message",
    [
        ({"editon": 1, "zzz": 2}, None, "no chapter of this run declares the parameter(s) editon, zzz"),
        ({"edition": 2025}, ["01", "13"], "no chapter of this run declares the parameter(s) edition"),
        ({"01:edition": 2025}, None, "chapter 01_background does not declare 'edition'"),
        ({"99:edition": 2025}, None, "no single chapter matches '99'"),
        ({"02:edition": 2025}, ["01"], "chapter 02_central_asia is not part of this run"),
    ],
)
def test_parameters_that_reach_no_chapter_are_errors(book, given, selected, message):
    run_of = chapters.select(book, selected)
    with pytest.raises(parameters.ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parameters.resolve(run_of, given, book)


def test_parse_yaml_file_then_command_line(tmp_path):
    f = tmp_path / "params.yaml"
    f.write_text("edition: 2018\ncountries: [Kazakhstan, Denmark]\n'13:start_year': 2013\n", encoding="utf-8")
    params = parameters.parse([("edition", "2025"), ("label", "'007'"), ("flag", "true")], str(f))
    assert params == {
        "edition": 2025,  # -p wins over the file, and is read as YAML (an int)
        "countries": ["Kazakhstan", "Denmark"],
        "13:start_year": 2013,
        "label": "007",
        "flag": True,
    }
    assert parameters.parse(None, None) == {}


def test_parse_rejects_a_file_that_is_not_a_mapping(tmp_path):
    f = tmp_path / "params.yaml"
    f.write_text("- edition\n- 2025\n", encoding="utf-8")
    with pytest.raises(parameters.ParameterError, match="must be a mapping"):
        parameters.parse([], str(f))
