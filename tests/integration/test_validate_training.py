"""Validation during training: ``train_run`` validates at every validation
interval and at the last iteration, and stores the scores, the best weights
and the best outputs (tiny 2D distance run on synthetic data)."""

import numpy as np
import pytest
import zarr

from dacapo.experiments import Run
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.train import train, train_run
from tests._validation_runs import DATASET, F1, VOI, distance_run_config, synthetic_container

pytestmark = pytest.mark.slow


def test_train_run_validates_at_each_interval_and_stores_the_scores(runs_base_dir, tmp_path):
    config = distance_run_config(synthetic_container(tmp_path), num_iterations=25)
    run = Run(config)
    train_run(run)
    assert [s.iteration for s in run.validation_scores.scores] == [10, 20, 25]
    stored = create_stats_store().retrieve_validation_iteration_scores("val")
    assert [s.iteration for s in stored] == [10, 20, 25]
    scores = np.asarray([s.scores for s in stored], dtype=float)
    assert scores.shape == (3, 1, len(run.task.parameters), len(run.validation_scores.criteria))
    assert np.isfinite(scores).all()
    weights = create_weights_store()
    best = {c: weights.retrieve_best("val", DATASET, c) for c in (F1, VOI)}
    assert set(best.values()) <= {10, 20, 25}
    root = zarr.open_group(str(runs_base_dir / "val" / "validation.zarr"), mode="r")
    assert sorted(root[DATASET].array_keys()) == [F1, VOI]
    assert root[f"{DATASET}/{F1}"].attrs["iteration"] == best[F1]
    # only the predictions of best iterations are kept, and no per-parameter outputs
    iterations = sorted(int(k) for k in root.group_keys() if k.isdigit())
    assert iterations == sorted(set(best.values()))
    assert all(list(root[f"{i}/{DATASET}"].keys()) == ["prediction"] for i in iterations)


def test_resumed_training_validates_from_where_it_left_off(runs_base_dir, tmp_path):
    create_config_store().store_run_config(
        distance_run_config(synthetic_container(tmp_path), num_iterations=10)
    )
    train("val")
    config = distance_run_config(tmp_path / "data.zarr", num_iterations=20)
    create_config_store().delete_run_config("val")
    create_config_store().store_run_config(config)
    train("val")
    stored = create_stats_store().retrieve_validation_iteration_scores("val")
    assert [s.iteration for s in stored] == [10, 20]
