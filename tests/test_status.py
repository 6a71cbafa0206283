"""The status page's tables: the run record and the environment, rendered while building."""

from __future__ import annotations

import json

from halfopen_book import run, status


def test_run_record_keeps_only_what_changes_when_a_chapter_runs_again(tmp_path):
    manifests = {
        "01_a": {"seconds": 2.04, "status": "ok", "inputs": {"parameters": {"x": 1}}, "reads": []},
        "02_b": {"seconds": 1.0, "status": "ok", "inputs": {}, "reads": []},
    }
    path = run.write_run_record(manifests, tmp_path / run.RUN_RECORD_FILE)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "01_a": {"seconds": 2.0, "status": "ok"},
        "02_b": {"seconds": 1.0, "status": "ok"},
    }
    first = path.read_bytes()
    run.write_run_record(manifests, path)
    assert path.read_bytes() == first, "the same manifests must stage the same bytes (no-op builds skip Sphinx)"


def test_run_markdown_is_a_numbered_table_with_the_total(tmp_path):
    path = run.write_run_record(
        {"01_a": {"seconds": 2.0, "status": "ok"}, "02_b": {"seconds": 1.25, "status": "ok"}},
        tmp_path / "r.json",
    )
    text = status.run_markdown(path)
    assert ":name: tbl-status-runs" in text
    assert "| 01\\_a | 2\\.0 |" in text, text
    assert "Every chapter\\'s last run ended with the status “ok”\\." in text, (
        "a status the same in every row is said once"
    )
    assert "2 chapters took 3.2 seconds" in text


def test_run_markdown_without_a_record_says_so(tmp_path):
    text = status.run_markdown(tmp_path / "missing.json")
    assert "without its runner" in text and "{table}" not in text


def test_environment_markdown_lists_every_pinned_package_and_flags_disagreement(tmp_path):
    req = tmp_path / "requirements.txt"
    numpy = status.environment().set_index("Package").loc["numpy", "Installed"]
    req.write_text(f"pandas==0.0.1\nnumpy=={numpy}\n")
    text = status.environment_markdown(req)
    assert ":name: tbl-status-packages" in text
    assert "1 of them differ from the pins" in text
    assert "| pandas |" in text and "| 0\\.0\\.1 | NO |" in text
    assert "| wheel |" not in text or "| not pinned |" in text
    assert "| yes |" in text and text.count("| not pinned |") == len(status.environment()) - 2, (
        "a package without a pin must say so, not 'yes'"
    )


def test_the_status_page_opens_with_date_commit_and_editions_and_folds_the_packages():
    text = status.environment_markdown()
    first = text.index("Built on ")
    assert first == 0 and ("from commit `" in text[:200] or "outside a git checkout" in text[:200]), text[:200]
    assert ":name: tbl-status-editions" in text
    assert text.index("tbl-status-editions") < text.index("<details") < text.index("tbl-status-packages")
    assert "| [freedom\\_house\\.csv](<data-freedom-house>) | Freedom House | 2013\\-2025 |" in text


def test_build_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert status.build_date() == "2023-11-14"
