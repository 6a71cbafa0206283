"""The paper's tables and figure keep the paper's numbers; the book's are numbered by chapter."""

from __future__ import annotations

from halfopen_book import numbering


def test_chapter_prefixes():
    assert numbering.chapter_prefix("chapters/02_open_government_in_central_asia") == "2"
    assert numbering.chapter_prefix("chapters/13_half_open_measured") == "13"
    assert numbering.chapter_prefix("chapters/a1_data_sources") == "A1"
    assert numbering.chapter_prefix("intro") is None


def test_the_papers_labels_get_the_papers_numbers_and_the_rest_count_by_chapter_in_page_order():
    sphinx = {
        "chapters/02_x": {"table": {"tbl-table-1": (3,), "tbl-status-bands": (4,)}, "figure": {"fig-a": (2,)}},
        "chapters/11_y": {
            "table": {"tbl-factors": (19,), "tbl-table-3": (18,)},
            "figure": {"fig-b": (11,), "fig-half-open-government": (10,)},
        },
        "chapters/a1_z": {"table": {"tbl-b": (31,), "tbl-a": (30,)}},
    }
    new = numbering.renumber(sphinx)
    assert new["chapters/02_x"]["table"] == {"tbl-table-1": ("1",), "tbl-status-bands": ("2", 1)}
    assert new["chapters/02_x"]["figure"] == {"fig-a": ("2", 1)}
    assert new["chapters/11_y"]["table"] == {"tbl-table-3": ("3",), "tbl-factors": ("11", 1)}
    assert new["chapters/11_y"]["figure"] == {"fig-half-open-government": ("1",), "fig-b": ("11", 1)}
    assert new["chapters/a1_z"]["table"] == {"tbl-a": ("A1", 1), "tbl-b": ("A1", 2)}
