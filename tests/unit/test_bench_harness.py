"""``bench/run.py`` (``make bench``): the RESULTS.md table and the wrong-output check."""

import importlib.util
import json
from pathlib import Path

import pytest

from dacapo.errors import ConfigError

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_has_medians_ratios_and_failures(bench):
    row = next(row for row in bench.ROWS if row.name == "P3")  # time and peak memory
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


def _row(bench, name):
    return next(row for row in bench.ROWS if row.name == name)


def test_every_row_of_the_issue_but_the_gpu_one_and_p3_at_512_is_run_by_default(bench):
    assert {row.name for row in bench.ROWS} == {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert bench._parser().parse_args([]).rows == ["P1", "P2", "P3", "P4", "P5", "P6"]
    sizes = [row.what for row in bench.ROWS if row.name == "P3"]
    assert any("256³" in what for what in sizes) and not any("512³" in w for w in sizes)
    assert [(row.name, row.repetitions) for row in bench.LARGE_ROWS] == [("P3", 1), ("P2", 1)]
    assert "full training on the CPU" in bench.LARGE_ROWS[1].what
    assert "512³" in bench.LARGE_ROWS[0].what


def test_runs_alternate_and_the_limit_runs_once_by_our_interpreter(bench, monkeypatch,
                                                                     tmp_path):
    calls = []

    def run(row, side, folder, data, arguments=None):
        calls.append((side, "limit" if arguments else folder.name))
        if arguments:
            return {"voxels_per_second": 100.0}
        if side == "upstream":
            return "failed (exit 1, 9 s): TypeError: Task.__new__() got 'run_name'"
        return {"voxels_per_second": 50.0 + len(calls), "shape": [1, 148, 148, 148],
                "finite": True}

    monkeypatch.setattr(bench, "_run", run)
    result = bench._measure(_row(bench, "P1"), tmp_path / "row", {
        "p1_output_shape": [148] * 3}, reps=3)
    # the limit last, on a machine the runs have warmed
    assert calls == [("ours", "ours_0"), ("upstream", "upstream_0"),
                     ("ours", "ours_1"), ("ours", "ours_2"), ("ours", "limit")]
    assert result["medians"] == {"ours": {"voxels_per_second": 53.0}}
    report = bench._report([result])
    assert "| P1 | fraction of the limit, the bare loop of forward passes (100 voxels/s) " \
           "| 0.53 | - | - |" in report
    assert "TypeError: Task.__new__() got 'run_name'" in report


def test_a_failed_limit_is_reported_in_its_row(bench):
    result = {"row": _row(bench, "P1"), "runs": {"ours": 3, "upstream": 3}, "failures": {},
              "limit": "failed (exit 1, 2 s): MemoryError",
              "medians": {"ours": {"voxels_per_second": 5.0},
                          "upstream": {"voxels_per_second": 4.0}}}
    report = bench._report([result])
    assert "| 5 voxels/s (3 runs) | 4 voxels/s (3 runs) | 1.25 |" in report
    assert "(nan voxels/s) | failed (exit 1, 2 s): MemoryError | failed" in report


@pytest.mark.parametrize("shape, finite, wrong", [
    ([1, 148, 148, 148], True, False), ([148, 148, 148], True, False),
    ([1, 148, 148, 100], True, True), ([1, 148, 148, 148], False, True)])
def test_a_prediction_of_the_wrong_shape_or_not_finite_is_a_wrong_output(bench, shape,
                                                                         finite, wrong):
    problem = bench._prediction_check({"shape": shape, "finite": finite},
                                      {"p1_output_shape": [148] * 3})
    assert (problem is not None) == wrong
    if wrong:
        assert problem.startswith(f"wrong output: shape {shape} (expected [c, *[148, 148, 148]])")


def test_a_validation_without_scores_or_with_a_failed_evaluation_is_a_wrong_output(bench):
    check = bench._validation_check
    assert check({"validated": True, "errors": []}, {}) is None
    assert check({"validated": False, "errors": []}, {}) == "wrong output: no scores"
    failed = {"validated": False, "errors": ["Could not evaluate run p6 on dataset val0 "
                                             "AssertionError: (64, 64, 64) vs (1, 64, 64, 64)"]}
    assert check(failed, {}) == f"wrong output: {failed['errors'][0]}"
    crops = bench._field_check("datasets", 200)
    assert crops({"datasets": 200}, {}) is None
    assert crops({"datasets": 20}, {}) == "wrong output: datasets = 20, expected 200"


def test_a_side_killed_by_a_signal_is_recorded_as_killed(bench, tmp_path):
    script = tmp_path / "killed.py"
    script.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    row = bench.Row(name="PX", what="killed", script=str(script),
                    arguments=lambda data, out: [])
    failure = bench._run(row, "ours", tmp_path / "run", tmp_path)
    assert failure.startswith("failed (exit -9, ")
    assert failure.endswith("s): killed by SIGKILL (out of memory?)")


def test_row_processes_are_the_first_the_oom_killer_stops(bench, tmp_path):
    script = tmp_path / "score.py"
    script.write_text("import json\nprint(json.dumps({'score': "
                      "open('/proc/self/oom_score_adj').read().strip()}))\n")
    row = bench.Row(name="PX", what="score", script=str(script),
                    arguments=lambda data, out: [])
    assert bench._run(row, "ours", tmp_path / "run", tmp_path) == {"score": "1000"}


def test_the_large_rows_run_once_per_side(bench, monkeypatch, tmp_path):
    calls = []

    def run(row, side, folder, data, arguments=None):
        calls.append(side)
        return {"seconds": 600.0, "peak_bytes": 4e9, "objects": 100}

    monkeypatch.setattr(bench, "_run", run)
    result = bench._measure(bench.LARGE_ROWS[0], tmp_path / "row",
                            {"truth_objects_512": 100}, reps=3)
    assert calls == ["ours", "upstream"]
    assert result["runs"] == {"ours": 1, "upstream": 1}


_GPU = [{"row": "P7", "precision": "fp32", "gpu": "NVIDIA H100", "fetchers": 12,
         "ours_s_per_it": 0.1, "ours_cached_batch_s_per_it": 0.05, "bare_s_per_it": 0.04,
         "ours_fraction_of_bare": 0.4, "cached_fraction_of_bare": 0.8}]


def _fake_measuring(bench, monkeypatch, measured):
    """``_measure_rows`` without running anything: P3 at 512³ for ``--large``
    (ours 600 s, upstream killed), P4 otherwise; ``measured`` records the calls."""
    def measure_rows(rows, names, reps, large=False, ready=None):
        measured.append(large)
        if large:
            return [{"row": rows[0], "runs": {"ours": 1, "upstream": 0}, "limit": None,
                     "medians": {"ours": {"seconds": 600.0, "peak_bytes": 4e9}},
                     "failures": {"upstream": "failed (exit -9, 260 s): killed by SIGKILL "
                                              "(out of memory?)"}}]
        return [{"row": rows[0], "runs": {"ours": 10, "upstream": 10}, "failures": {},
                 "limit": None, "medians": {"ours": {"seconds": 0.5},
                                            "upstream": {"seconds": 2.0}}}]

    monkeypatch.setattr(bench, "_measure_rows", measure_rows)


def test_results_merge_the_stored_large_and_gpu_rows_marked_where_and_when(
        bench, monkeypatch, tmp_path):
    measured = []
    _fake_measuring(bench, monkeypatch, measured)
    large, gpu, results = tmp_path / "large.json", tmp_path / "gpu.json", tmp_path / "R.md"
    assert bench.main(["--large", "--large-output", str(large)]) == 0
    stored = json.loads(large.read_text())
    assert stored["machine"] == bench._machine() and stored["date"].endswith("UTC")
    assert stored["rows"][0]["runs"] == {"ours": 1, "upstream": 0}
    gpu.write_text(json.dumps(_GPU))
    assert bench.main(["--rows", "P4", "--output", str(results), "--large-output",
                       str(large), "--gpu-results", str(gpu)]) == 0
    assert measured == [True, False]
    report = results.read_text()
    assert "| 0.5 s (10 runs) | 2 s (10 runs) | 4.00 |" in report  # measured now
    assert f"measured {stored['date']} by `make bench-large` on {stored['machine']}" in report
    assert "| P3 | mutex watershed of 512³ affinities (3 offsets, uint8), 2 workers: time " \
           "| 600 s (1 runs) | failed (exit -9, 260 s): killed by SIGKILL (out of memory?) " \
           "| - |" in report
    assert "measured on NVIDIA H100 (date not recorded" in report
    # a file from before `targets` was recorded: its targets were made in the workers
    assert "| P7 | fp32 | NVIDIA H100 | 12 | workers | - | 0.1000 s | 0.0500 s | 0.0400 s | 0.40 |" \
        in report
    assert "not measured" not in report


def test_rows_not_stored_are_reported_as_not_measured(bench, monkeypatch, tmp_path):
    _fake_measuring(bench, monkeypatch, [])
    results = tmp_path / "R.md"
    assert bench.main(["--rows", "P4", "--output", str(results), "--large-output",
                       str(tmp_path / "none.json"), "--gpu-results",
                       str(tmp_path / "none.json")]) == 0
    report = results.read_text()
    assert "P7: not measured: no GPU in this run" in report
    assert "not benchmarked.\n\n## Large rows (`make bench-large`" in report
    assert "P3 at 512³ and P2's full training on the CPU: not measured: run " \
           "`make bench-large`" in report


@pytest.mark.parametrize("which, text, message", [
    ("gpu", "{not json", r"gpu.json: not JSON .*bench/gpu_train.py --json gpu.json"),
    ("gpu", "[]", r"gpu.json: holds \[\], expected a non-empty list of P7 results"),
    ("gpu", json.dumps([{k: v for k, v in _GPU[0].items() if k != "bare_s_per_it"}]),
     r"gpu.json: entry 0 lacks 'bare_s_per_it' \(expected the keys row, precision"),
    ("gpu", "[1]", r"gpu.json: entry 0 is 1, expected an object with the keys row"),
    ("large", "{not json", r"large.json: not JSON .*make bench-large"),
    ("large", json.dumps({"date": "d", "machine": "m"}),
     r"large.json: the file lacks 'rows' \(expected the keys date, machine, rows\)"),
    ("large", json.dumps({"date": "d", "machine": "m", "rows": 3}),
     r"large.json: 'rows' is 3, expected a list of rows"),
    ("large", json.dumps({"date": "d", "machine": "m", "rows": [{"name": "P3"}]}),
     r"large.json: row 0 lacks 'what', 'metrics', 'medians', 'failures', 'runs'"),
])
def test_a_broken_stored_file_stops_the_run_before_measuring(bench, monkeypatch, tmp_path,
                                                             which, text, message):
    measured = []
    _fake_measuring(bench, monkeypatch, measured)
    (tmp_path / f"{which}.json").write_text(text)
    with pytest.raises(ConfigError, match=message):
        bench.main(["--rows", "P4", "--output", str(tmp_path / "R.md"), "--large-output",
                    str(tmp_path / "large.json"), "--gpu-results", str(tmp_path / "gpu.json")])
    assert measured == [] and not (tmp_path / "R.md").exists()


def test_a_failure_is_recorded_with_its_exception_not_a_progress_bar(bench, tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("import sys\nsys.stderr.write('Traceback:\\n  File x\\n"
                      "ValueError: bad tile\\nworker 0%|  | 0/1 [00:00<?]\\r')\n"
                      "sys.exit(1)\n")
    row = bench.Row(name="PX", what="fails", script=str(script),
                    arguments=lambda data, out: [])
    failure = bench._run(row, "ours", tmp_path / "run", tmp_path)
    assert failure.startswith("failed (exit 1, ") and failure.endswith("s): ValueError: bad tile")
    assert bench._error_line("step 1\rstep 2\r") == "step 2"
    assert bench._error_line("") == "(no output)"


def test_upstream_predicts_with_distributed_workers_ours_with_its_defaults(
        bench, monkeypatch, tmp_path):
    """Upstream's blockwise predict fails in daisy 1.x's serial mode (P1)."""
    import sys

    monkeypatch.setitem(bench.SIDES, "upstream", [sys.executable])
    script = tmp_path / "options.py"
    script.write_text("import json, os\nprint(json.dumps({'yaml': open(os.environ["
                      "'DACAPO_OPTIONS_FILE']).read()}))\n")
    row = bench.Row(name="PX", what="options", script=str(script),
                    arguments=lambda data, out: [])
    upstream = bench._run(row, "upstream", tmp_path / "up", tmp_path)["yaml"]
    ours = bench._run(row, "ours", tmp_path / "ours", tmp_path)["yaml"]
    assert ours == f"runs_base_dir: {tmp_path / 'ours' / 'runs'}\n"
    assert "compute_context:\n  type: LocalTorch\n  config:\n    distribute_workers: true\n" \
        in upstream


def test_the_per_core_batch_rate_is_measured_before_and_after_in_the_same_run(
        bench, monkeypatch, tmp_path):
    calls = []

    def run(row, side, folder, data, arguments=None):
        calls.append(side)
        rate = {"ours": 0.5, "upstream": 0.1, "before": 0.25}[side]
        return {"batches_per_second": rate + 0.01 * len(calls)}

    monkeypatch.setattr(bench, "_run", run)
    row = next(row for row in bench.ROWS if row.name == "P2" and "before" in row.sides)
    result = bench._measure(row, tmp_path / "row", {}, reps=3)
    assert calls == ["ours", "upstream", "before"] * 3  # alternating, 3 runs each
    report = bench._report([result])
    # the main table compares ours with upstream only; the before section, before and now
    assert "| 0.54 batches/s (3 runs) | 0.15 batches/s (3 runs) | 3.60 |" in report
    assert f"| before ({bench.BEFORE}) | now | speed-up |" in report
    assert "| 0.31 batches/s (3 runs) | 0.54 batches/s (3 runs) | 1.74 |" in report


def test_without_the_commit_before_the_before_side_says_it_was_not_measured(bench, tmp_path):
    row = next(row for row in bench.ROWS if "before" in row.sides)
    outcome = bench._run(row, "before", tmp_path / "run", tmp_path / "data")
    assert outcome == f"not measured: this checkout has no commit {bench.BEFORE} (git history)"


def test_the_code_before_is_extracted_from_the_git_history(bench, tmp_path):
    import subprocess

    known = subprocess.run(["git", "-C", str(BENCH.parents[1]), "cat-file", "-e",
                            f"{bench.BEFORE}^{{commit}}"], capture_output=True)
    if known.returncode != 0:
        pytest.skip(f"this checkout lacks commit {bench.BEFORE} (a shallow clone)")
    bench._extract_before(tmp_path / "before")
    assert (tmp_path / "before" / "dacapo" / "__init__.py").is_file()
    assert not (tmp_path / "before" / "tests").exists()  # the package only


def test_a_failed_peer_set_up_stops_the_run_after_the_data_before_measuring(
        bench, monkeypatch, tmp_path):
    script = tmp_path / "peer-setup.sh"
    script.write_text("echo no index >&2; exit 3\n")
    monkeypatch.setattr(bench, "HERE", tmp_path)
    prepared, measured = [], []
    monkeypatch.setattr(bench, "_prepare", lambda *args: prepared.append(args) or {})
    monkeypatch.setattr(bench, "_measure", lambda *args: measured.append(args))
    with pytest.raises(SystemExit, match=r"bench/peer-setup.sh failed \(exit 3\): see its "
                                         r"output above; nothing was measured"):
        bench.main(["--peer-setup", "--rows", "P4", "--output", str(tmp_path / "R.md"),
                    "--large-output", str(tmp_path / "l.json"), "--gpu-results",
                    str(tmp_path / "g.json")])
    assert len(prepared) == 1 and measured == [] and not (tmp_path / "R.md").exists()


def test_refreshing_the_stored_rows_keeps_the_measured_ones_and_measures_nothing(
        bench, monkeypatch, tmp_path):
    measured = []
    _fake_measuring(bench, monkeypatch, measured)
    results, large = tmp_path / "R.md", tmp_path / "large.json"
    assert bench.main(["--rows", "P4", "--output", str(results), "--large-output", str(large),
                       "--gpu-results", str(tmp_path / "none.json")]) == 0
    before = results.read_text()
    assert "P3 at 512³ and P2's full training on the CPU: not measured" in before
    assert bench.main(["--large", "--large-output", str(large)]) == 0  # make bench-large
    measured.clear()
    assert bench.main(["--refresh-stored", "--output", str(results), "--large-output",
                       str(large), "--gpu-results", str(tmp_path / "none.json")]) == 0
    after = results.read_text()
    assert measured == []
    head = before[:before.index(bench.STORED_MARKER)]
    assert after.startswith(head) and "| 0.5 s (10 runs) | 2 s (10 runs) | 4.00 |" in after
    assert "| P3 | mutex watershed of 512³ affinities" in after
    assert "not measured: run `make bench-large`" not in after
    assert after.rstrip().endswith("P7: not measured: no GPU in this run")


@pytest.mark.parametrize("content, message", [
    (None, r"R.md does not exist: run `make bench` first"),
    ("# my notes\n", r"R.md has no line starting '## Large rows \(': it was not written by "
                     r"bench/run.py; run `make bench` to rewrite it"),
])
def test_refreshing_a_missing_or_foreign_results_file_says_what_to_run(bench, tmp_path,
                                                                       content, message):
    results = tmp_path / "R.md"
    if content is not None:
        results.write_text(content)
    with pytest.raises(SystemExit, match=message):
        bench.main(["--refresh-stored", "--output", str(results)])
    assert content is None or results.read_text() == content


def test_the_p7_table_shows_the_workers_own_rate_when_measured(bench):
    entry = dict(_GPU[0], supply_batches_per_s=17.49, targets="device")
    lines = bench.stored_results.gpu_lines([entry], Path("results-gpu.json"))
    assert "| P7 | fp32 | NVIDIA H100 | 12 | device | 17.5 batches/s | 0.1000 s |" \
           in "\n".join(lines)
