"""¶N markers link to the chapter that treats paragraph N of the paper."""

from __future__ import annotations

from halfopen_book import paragraphs


def test_every_paragraph_of_the_paper_has_exactly_one_chapter():
    covered = [n for first, last, _ in paragraphs.SECTIONS for n in range(first, last + 1)]
    assert covered == list(range(1, 47)), covered


def test_chapters_exist(root):
    for _, _, docname in paragraphs.SECTIONS:
        assert (root / f"{docname}.ipynb").exists(), docname


def test_markers_and_ranges_are_cut_out_of_the_text():
    assert paragraphs.split("as ¶13 says, and ¶41–43 too; ¶99 is not the paper's") == [
        ("as ", None),
        ("¶13", "chapters/05_stronger_civil_society"),
        (" says, and ", None),
        ("¶41–43", "chapters/11_discussion"),
        (" too; ¶99 is not the paper's", None),
    ]
    assert paragraphs.split("¶46") == [("¶46", "chapters/12_conclusion")]
    assert paragraphs.split("the ¶ column") == [("the ¶ column", None)]
