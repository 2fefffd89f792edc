"""``RunTracker``: metrics to every writer; a failing writer is switched off
(logged once) and the others go on; validation scores as the best over
parameter sets."""

from __future__ import annotations

import logging
import math
from types import SimpleNamespace

import pytest

from dacapo.experiments import ValidationIterationScores, ValidationScores
from dacapo.experiments.tasks.evaluators.dummy_evaluation_scores import DummyEvaluationScores
from dacapo.tracking import MetricsWriter, RunTracker, validation_metrics

FID, ACCURACY = "frechet_inception_distance", "pixel_wise_accuracy"  # lower / higher is better


class Recorder(MetricsWriter):
    def __init__(self, purges=False):
        self.purges_on_resume = purges
        self.logged, self.flushes, self.closed = [], 0, None

    def log_scalars(self, metrics, step):
        self.logged.append((step, dict(metrics)))

    def flush(self):
        self.flushes += 1

    def close(self, status="FINISHED"):
        self.closed = status


class Broken(Recorder):
    def log_scalars(self, metrics, step):
        raise OSError("disk full")


def scores(*records):
    """Two datasets, three parameter sets, the dummy criteria [FID, ACCURACY]."""
    datasets = [SimpleNamespace(name="crop0"), SimpleNamespace(name="crop1")]
    return ValidationScores([0, 1, 2], datasets, DummyEvaluationScores, list(records))


RECORD = ValidationIterationScores(
    10,
    [
        [[3.0, 0.5], [1.0, 0.2], [2.0, 0.9]],
        [[math.nan, math.nan], [math.nan, 0.4], [math.nan, 0.1]],
    ],
)


def test_validation_metrics_are_the_best_over_parameters_by_direction():
    assert validation_metrics(scores(RECORD), 10) == {
        f"validation/crop0/{FID}": 1.0,  # lower is better
        f"validation/crop0/{ACCURACY}": 0.9,
        f"validation/crop1/{ACCURACY}": 0.4,  # NaN scores are left out
    }
    assert validation_metrics(scores(RECORD), 20) == {}


def test_training_metrics_go_to_every_writer():
    writers = [Recorder(), Recorder()]
    tracker = RunTracker("run", writers)
    tracker.log_training(3, 0.25, 1e-3)
    tracker.log_validation(scores(RECORD), 10)
    tracker.flush()
    for writer in writers:
        assert writer.logged[0] == (3, {"train/loss": 0.25, "train/learning_rate": 1e-3})
        assert writer.logged[1][0] == 10 and len(writer.logged[1][1]) == 3
        assert writer.flushes == 1


def test_a_failing_writer_is_switched_off_once_and_the_others_go_on(caplog):
    broken, good = Broken(), Recorder()
    with caplog.at_level(logging.WARNING, logger="dacapo.tracking"):
        with RunTracker("run", [broken, good]) as tracker:
            for iteration in range(3):
                tracker.log_training(iteration, 1.0, 1e-3)
    failures = [r for r in caplog.records if "failed in log_scalars" in r.getMessage()]
    assert len(failures) == 1
    assert "OSError: disk full" in failures[0].getMessage()
    assert "training" in failures[0].getMessage() and failures[0].exc_info
    assert broken.closed == "FAILED"
    assert [step for step, _ in good.logged] == [0, 1, 2] and good.closed == "FINISHED"


@pytest.mark.parametrize("error, status", [(KeyboardInterrupt, "KILLED"), (ValueError, "FAILED")])
def test_the_status_tells_how_training_ended(error, status):
    writer = Recorder()
    with pytest.raises(error):
        with RunTracker("run", [writer]):
            raise error()
    assert writer.closed == status


def test_scores_that_do_not_fit_are_not_tracked_and_training_goes_on(caplog):
    bad = SimpleNamespace(scores=[SimpleNamespace(iteration=10, scores="garbage")],
                          criteria=[FID], evaluation_scores=DummyEvaluationScores, datasets=[])
    writer = Recorder()
    with caplog.at_level(logging.WARNING, logger="dacapo.tracking"):
        RunTracker("run", [writer]).log_validation(bad, 10)
    assert writer.logged == []
    assert "validation scores of iteration 10 cannot be tracked" in caplog.text


def test_resuming_writes_the_scores_of_the_start_again_to_purging_writers_only():
    purging, keeping = Recorder(purges=True), Recorder()
    RunTracker("run", [purging, keeping]).resume(scores(RECORD), 10)
    assert [step for step, _ in purging.logged] == [10]
    assert keeping.logged == []
