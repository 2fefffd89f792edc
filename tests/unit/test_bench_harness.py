"""``bench/run.py`` (``make bench``): the RESULTS.md table and the wrong-output check."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_has_medians_ratios_and_failures(bench):
    row = bench.ROWS[0]  # P3: time and peak memory
    results = [{"row": row, "runs": {"ours": 3, "upstream": 0},
                "medians": {"ours": {"seconds": 20.0, "peak_bytes": 2e9}},
                "failures": {"upstream": "failed (exit 1, 3 s): KeyError: 'x|y'"}}]
    report = bench._report(results)
    assert "| P3 | mutex watershed of 256³ affinities (3 offsets, uint8), 2 workers: time | " \
           "20 s (3 runs) | failed (exit 1, 3 s): KeyError: 'x/y' | - |" in report
    assert "peak memory of the process tree | 2 GB (3 runs)" in report
    imports = next(row for row in bench.ROWS if row.what == "`import dacapo`")
    both = [{"row": imports, "runs": {"ours": 10, "upstream": 10}, "failures": {},
             "medians": {"ours": {"seconds": 0.5}, "upstream": {"seconds": 2.0}}}]
    assert "| 0.5 s (10 runs) | 2 s (10 runs) | 4.00 |" in bench._report(both)  # 4x faster
    rates = next(row for row in bench.ROWS if row.name == "P2")
    faster = [{"row": rates, "runs": {"ours": 3, "upstream": 3}, "failures": {},
               "medians": {"ours": {"batches_per_second": 3.0},
                           "upstream": {"batches_per_second": 1.0}}}]
    assert "| 3 batches/s (3 runs) | 1 batches/s (3 runs) | 3.00 |" in bench._report(faster)


@pytest.mark.parametrize("objects, wrong", [(100, False), (60, False), (30, True), (250, True)])
def test_a_segmentation_far_from_the_truth_is_a_wrong_output(bench, objects, wrong):
    problem = bench._watershed_check({"objects": objects}, {"truth_objects": 100})
    assert (problem is not None) == wrong
    if wrong:
        assert problem == f"wrong output: {objects} objects for 100 true objects"
