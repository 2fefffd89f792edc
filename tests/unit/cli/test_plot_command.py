"""``dacapo plot``: options reach ``plot_runs``; the PNG is written; bad input
is one line and exit code 2."""

from __future__ import annotations

import re

import pytest

from dacapo.store.create_store import create_config_store
from tests._cli import error_line, invoke
from tests._validation_runs import tiny_3d_run_config


def test_the_options_reach_plot_runs(stored_run, record, tmp_path):
    create_config_store().store_run_config(tiny_3d_run_config(tmp_path, name="other"))
    calls = record("dacapo.plot.plot_runs")
    result = invoke("plot", "-r", "tiny", "--run_name", "other", "-o", tmp_path / "p.png",
                    "-c", "cell__dice", "--criterion", "cell__voi", "-s", 10)
    assert result.exit_code == 0, result.stderr
    assert calls == [((["tiny", "other"],), {
        "smooth": 10, "validation_scores": [["cell__dice", "cell__voi"]] * 2,
        "output": str(tmp_path / "p.png")})]
    assert f"plot written: {tmp_path / 'p.png'}" in result.stdout


def test_defaults_draw_every_criterion_to_runs_png(stored_run, record):
    calls = record("dacapo.plot.plot_runs")
    assert invoke("plot", "-r", "tiny").exit_code == 0
    assert calls == [((["tiny"],), {"smooth": 100, "validation_scores": None,
                                   "output": "runs.png"})]


def test_a_run_trained_without_validation_is_plotted(stored_run, tmp_path):
    from dacapo.experiments import TrainingIterationStats, TrainingStats
    from dacapo.store.create_store import create_stats_store

    stats = TrainingStats()
    for i in range(30):
        stats.add_iteration_stats(TrainingIterationStats(iteration=i, loss=1.0 / (i + 1),
                                                         time=0.1))
    create_stats_store().store_training_stats("tiny", stats)
    result = invoke("plot", "-r", "tiny", "-o", tmp_path / "loss.png")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("arguments, match", [
    (["-r", "nope"], r"Invalid value for '-r' / '--run-name': run 'nope' is not in the "
                     r"config store"),
    (["-r", "tiny", "-o", "p.txt"], r"`output` 'p.txt' must end in .png, .svg, .pdf"),
    (["-r", "tiny", "-s", "0"], r"Invalid value for '-s' / '--smooth': 0 is not in the "
                                r"range x>=1"),
])
def test_bad_input_is_one_line_and_exit_code_2(stored_run, arguments, match):
    result = invoke("plot", *arguments)
    assert result.exit_code == 2
    assert re.search(match, error_line(result))
