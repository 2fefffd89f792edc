"""``validate`` and ``validate_run`` on a tiny distance run (2D synthetic data):
scores, best weights and outputs, what ``validation.zarr`` keeps, errors."""

import types

import numpy as np
import pytest
import torch
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError, NoSuchCheckpointError
from dacapo.experiments import Run, RunConfig
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.tasks.post_processors.parameters_text import parse_parameters
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.validate import validate, validate_run
from tests._validation_runs import (
    DATASET,
    F1,
    VOI,
    distance_run_config,
    synthetic_container,
)


@pytest.fixture
def config(runs_base_dir, tmp_path):
    torch.manual_seed(0)  # the untrained models' predictions
    config = distance_run_config(synthetic_container(tmp_path))
    create_config_store().store_run_config(config)
    return config


def validation_zarr(runs_base_dir, name="val"):
    return zarr.open_group(str(runs_base_dir / name / "validation.zarr"), mode="r")


def stored_iterations(name="val"):
    return [s.iteration for s in create_stats_store().retrieve_validation_iteration_scores(name)]


def test_validating_iteration_0_scores_the_untrained_model(config):
    record = validate("val", 0)
    run = Run(config)
    scores = np.asarray(record.scores, dtype=float)
    assert record.iteration == 0
    assert scores.shape == (1, len(run.task.parameters), len(run.validation_scores.criteria))
    assert np.isfinite(scores).all()
    stored = create_stats_store().retrieve_validation_iteration_scores("val")
    assert [s.iteration for s in stored] == [0]
    assert np.array_equal(np.asarray(stored[0].scores), scores)


def test_validation_keeps_inputs_best_outputs_and_best_predictions_only(config, runs_base_dir):
    validate("val", 0)
    root = validation_zarr(runs_base_dir)
    assert sorted(root.group_keys()) == ["0", DATASET, "inputs"]
    assert sorted(root[f"inputs/{DATASET}"].array_keys()) == ["gt", "raw"]
    assert list(root[f"0/{DATASET}"].keys()) == ["prediction"]  # outputs deleted
    assert sorted(root[DATASET].array_keys()) == [F1, VOI]  # criteria whose best is kept


def test_best_weights_and_outputs_are_stored_and_retrievable(config, runs_base_dir):
    record = validate("val", 0)
    run = Run(config)
    weights = create_weights_store()
    assert weights.retrieve_best("val", DATASET, F1) == 0
    weights.load_best(run, DATASET, F1)  # the untrained model was stored as iteration 0
    root = validation_zarr(runs_base_dir)
    best = root[f"{DATASET}/{F1}"]
    f1 = np.asarray(record.scores)[0, :, run.validation_scores.criteria.index(F1)]
    assert best.attrs["iteration"] == 0
    assert best.attrs["score"] == pytest.approx(f1.max())
    # the grid was fitted to the prediction: the recorded parameters are the ones used
    parameters = parse_parameters(best.attrs["parameters_text"])
    assert parameters.id == best.attrs["parameters_id"] == f1.argmax()
    assert best.attrs["parameters"] == str(parameters)
    prediction = root[f"0/{DATASET}/prediction"][:]
    assert prediction.min() < parameters.threshold < prediction.max()
    assert np.array_equal(best[:], (prediction > parameters.threshold).astype(np.uint8))


def test_only_a_better_iteration_becomes_the_best(config, runs_base_dir):
    run = Run(config)
    validate_run(run, 0)
    criteria = run.validation_scores.criteria
    perfect = np.asarray(run.validation_scores.scores[0].scores, dtype=float)
    perfect[..., criteria.index(F1)], perfect[..., criteria.index(VOI)] = 1.0, 0.0
    run.validation_scores.scores[0].scores = perfect.tolist()
    validate_run(run, 10)  # the same model: not better than the planted perfect scores
    weights = create_weights_store()
    assert weights.retrieve_best("val", DATASET, F1) == 0
    assert "10" not in validation_zarr(runs_base_dir)  # its prediction is not kept
    worst = perfect.copy()  # worse than any real score, even of an empty prediction
    worst[..., criteria.index(F1)], worst[..., criteria.index(VOI)] = -1.0, 99.0
    for record in run.validation_scores.scores:  # iterations 0 and 10
        record.scores = worst.tolist()
    validate_run(run, 20)
    assert weights.retrieve_best("val", DATASET, F1) == weights.retrieve_best(
        "val", DATASET, VOI) == 20
    weights.retrieve_weights("val", 20)  # stored with the new best
    root = validation_zarr(runs_base_dir)
    assert sorted(root.group_keys()) == ["20", DATASET, "inputs"]
    assert root[f"{DATASET}/{F1}"].attrs["iteration"] == 20
    assert stored_iterations() == [0, 10, 20]


def test_inputs_are_copied_once(config, monkeypatch):
    import dacapo._validation_arrays as arrays

    validate("val", 0)
    copied = []
    original = arrays.copy_array
    monkeypatch.setattr(arrays, "copy_array", lambda s, i, r: copied.append(i) or original(s, i, r))
    validate("val", 0)
    assert [i.dataset for i in copied if "inputs" in i.dataset] == []


def test_revalidating_an_iteration_keeps_later_scores_and_stores_the_new_ones(config):
    run = Run(config)
    validate_run(run, 10)
    validate_run(run, 20)
    with torch.no_grad():
        for parameter in run.model.parameters():
            parameter.add_(0.5)
    record = validate_run(run, 10)
    assert [s.iteration for s in run.validation_scores.scores] == [10, 20]
    stored = create_stats_store().retrieve_validation_iteration_scores("val")
    assert [s.iteration for s in stored] == [10, 20]
    assert np.array_equal(np.asarray(stored[0].scores), np.asarray(record.scores), equal_nan=True)


def test_custom_datasets_are_scored_but_not_recorded(config, runs_base_dir):
    run = Run(config)
    dataset = run.datasplit.validate[0]
    record = validate_run(run, 0, datasets_config=[dataset.config, dataset])
    assert np.asarray(record.scores).shape == (2, 19, len(run.validation_scores.criteria))
    assert record.scores[0] == record.scores[1]
    assert run.validation_scores.scores == []
    assert stored_iterations() == []
    assert DATASET not in validation_zarr(runs_base_dir)  # no best outputs


def test_custom_datasets_must_be_dataset_configs_or_datasets(config):
    with pytest.raises(ConfigError, match=r"datasets_config must hold DatasetConfigs or "
                                          r"Datasets, got str 'crop0'"):
        validate_run(Run(config), 0, datasets_config=["crop0"])


def test_a_validation_dataset_without_ground_truth_scores_nan(config):
    run = Run(config)
    run.validation_scores.datasets.append(types.SimpleNamespace(name="no_gt", gt=None))
    scores = np.asarray(validate_run(run, 0).scores, dtype=float)
    assert np.isfinite(scores[0]).all() and np.isnan(scores[1]).all()


def test_missing_weights_raise_file_not_found(config):
    with pytest.raises(FileNotFoundError, match=(
        r"validate: run 'val', iteration 5 \(train the run to that iteration first.*\): "
        r"run 'val' has no checkpoint of iteration 5"
    )) as raised:
        validate("val", 5)
    assert isinstance(raised.value, NoSuchCheckpointError)
    assert isinstance(raised.value, DacapoError)


def test_a_negative_iteration_is_an_error(config):
    with pytest.raises(ConfigError, match=r"iteration must be a whole number >= 0, got -1"):
        validate_run(Run(config), -1)


def test_a_run_without_validation_data_is_an_error(runs_base_dir):
    run = Run(RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name="dummy", repetition=0, num_iterations=10,
    ))
    with pytest.raises(ConfigError, match=r"run 'dummy' has no validation dataset with ground "
                                          r"truth \(datasplit 'split': \[\]\)"):
        validate_run(run, 0)


def test_raw_is_copied_over_the_ground_truth_grown_by_the_context():
    from dacapo._validation_arrays import input_rois

    def array(offset, shape):  # 2D, voxel size 4
        return NumpyArray.from_np_array(
            np.zeros(shape), Roi(offset, Coordinate(shape) * 4), Coordinate(4, 4), ["y", "x"])

    raw, gt = array((0, 0), (20, 20)), array((4, 8), (5, 5))  # gt [4, 24) x [8, 28)
    raw_roi, gt_roi = input_rois(raw, gt, Coordinate(6, 6))
    assert gt_roi == gt.roi
    # grown to [-2, 30) x [2, 34), snapped out to [-4, 32) x [0, 36), cut at raw's edge
    assert raw_roi == Roi((0, 0), (32, 36))
    with pytest.raises(ConfigError, match=r"ground truth .* does not overlap raw"):
        input_rois(raw, array((200, 200), (2, 2)), Coordinate(0, 0))


def test_a_grid_of_another_size_than_the_runs_is_an_error(config):
    run = Run(config)
    grid = run.task.parameters[:3]
    run.task.post_processor.enumerate_parameters = lambda: iter(grid)
    with pytest.raises(ConfigError, match=r"ThresholdPostProcessor gives 3 parameter sets for "
                                          r"this prediction, but the run's validation scores "
                                          r"hold 19"):
        validate_run(run, 0)
