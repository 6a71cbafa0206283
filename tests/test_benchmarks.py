"""Unit tests of the benchmarks' own arithmetic (the benchmarks themselves are run by hand)."""

from __future__ import annotations

import importlib.util

import pytest


def benchmark(root, name: str):
    """A script of ``benchmarks/`` loaded as a module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", root / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lighthouse(root):
    return benchmark(root, "lighthouse")


def run(performance, seo=100, size=150_000, failed=()):
    return {
        "performance": performance,
        "accessibility": 100,
        "best-practices": 100,
        "seo": seo,
        "bytes": size,
        "failed": list(failed),
    }


def test_several_runs_give_the_median_performance_and_the_worst_of_the_rest(lighthouse):
    row = lighthouse.combine([run(84), run(95, seo=92, failed=["meta-description"]), run(91, size=160_000)])
    assert row["performance"] == 91 and row["performance_runs"] == [84, 95, 91]
    assert row["seo"] == 92 and row["failed"] == ["meta-description"] and row["bytes"] == 160_000
    assert not lighthouse.meets_goal(row)  # SEO 92 in one run is a miss, whatever the median
    assert lighthouse.meets_goal(lighthouse.combine([run(84), run(95), run(91)]))
    assert "| 91 (84–95) | 100 |" in lighthouse.table([{"site": "s", "page": "p", **row}])


def test_a_failed_run_fails_the_page(lighthouse):
    assert "error" in lighthouse.combine([run(95), {"error": "Chrome crashed"}])


@pytest.fixture(scope="module")
def bench_build(root):
    return benchmark(root, "bench_build")


def test_the_noop_verdict_is_on_the_median_of_the_runs(bench_build):
    info = {"book": "b", "cores": "2", "cpu": "c", "python": "3.11", "system": "s", "date": "d"}
    info |= {"load_before": "0.5", "load_after": "0.6"}
    report = bench_build.noop_report(info, [0.7, 2.5, 0.8, 0.9, 0.6])  # one slow run: the median holds
    assert "median 0.80 s of 5 runs" in report and report.endswith("meets")
    assert bench_build.noop_report(info, [1.2, 0.9, 1.1]).endswith("MISSES")
