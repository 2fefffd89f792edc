"""TrainingStats: records per iteration, truncation on re-training, xarray view."""

from __future__ import annotations

from dacapo.experiments.training_iteration_stats import TrainingIterationStats
from dacapo.experiments.training_stats import TrainingStats


def _stats(*iterations):
    stats = TrainingStats()
    for i in iterations:
        stats.add_iteration_stats(TrainingIterationStats(i, loss=1.0 / (i + 1), time=0.5))
    return stats


def test_empty_stats_train_from_zero():
    assert TrainingStats().trained_until() == 0
    assert TrainingStats().to_xarray().sizes == {"iterations": 0}


def test_trained_until_is_last_iteration_plus_one():
    assert _stats(0, 1, 2).trained_until() == 3


def test_adding_an_earlier_iteration_replaces_what_follows():
    stats = _stats(0, 1, 2, 3)
    stats.add_iteration_stats(TrainingIterationStats(2, loss=9.0, time=0.1))
    assert [(s.iteration, s.loss) for s in stats.iteration_stats] == [(0, 1.0), (1, 0.5), (2, 9.0)]


def test_delete_after_keeps_earlier_iterations():
    stats = _stats(0, 1, 2, 3)
    stats.delete_after(2)
    assert [s.iteration for s in stats.iteration_stats] == [0, 1]
    assert stats.trained_until() == 2
    stats.delete_after(10)
    assert stats.trained_until() == 2


def test_to_xarray_holds_losses_over_iterations():
    losses = _stats(0, 1, 3).to_xarray()
    assert losses.dims == ("iterations",)
    assert losses.coords["iterations"].values.tolist() == [0, 1, 3]
    assert losses.values.tolist() == [1.0, 0.5, 0.25]
    assert losses.sel(iterations=3).item() == 0.25


def test_records_round_trip_as_plain_numbers():
    stats = _stats(0, 1)
    records = stats.to_records()
    assert records == [
        {"iteration": 0, "loss": 1.0, "time": 0.5},
        {"iteration": 1, "loss": 0.5, "time": 0.5},
    ]
    assert all(type(v) in (int, float) for r in records for v in r.values())
    assert TrainingStats.from_records(records) == stats
    assert TrainingStats.from_records([]) == TrainingStats()
