"""The gunpowder trainer refuses ground truth a task cannot read as labels, and
sampling that cannot succeed ends with a ``ConfigError`` instead of spinning
(issue 13), also when data workers make the samples."""

from __future__ import annotations

import pickle
import re
import threading
from types import SimpleNamespace

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ZarrArrayConfig
from dacapo.experiments.tasks import (
    AffinitiesTaskConfig,
    DistanceTaskConfig,
    DummyTaskConfig,
    HotDistanceTaskConfig,
    InnerDistanceTaskConfig,
    OneHotTaskConfig,
)
from dacapo.experiments.trainers import GunpowderTrainerConfig, _gp_sampling
from dacapo.experiments.trainers._precache import portable_error

SIZE = 60


def array(data):
    return NumpyArray.from_np_array(data, Roi((0, 0), data.shape), (1, 1), ["y", "x"])


def labels(dtype=np.uint8):
    gt = np.zeros((SIZE, SIZE), dtype)
    gt[10:40, 10:40] = 1
    return gt


def dataset(gt=None, mask=None, sample_points=None, trust_gt=False):
    raw = np.random.default_rng(0).random((SIZE, SIZE), dtype=np.float32)
    return SimpleNamespace(
        name="d", raw=array(raw), gt=array(labels() if gt is None else gt),
        mask=None if mask is None else array(mask), weight=1,
        sample_points=sample_points, trust_gt=trust_gt,
    )


def build(config):
    return config.task_type(config)


TASKS = {
    "distance": lambda: build(DistanceTaskConfig("fg", channels=["fg"], clip_distance=10.0,
                                                 tol_distance=10.0, scale_factor=4.0,
                                                 mask_distances=False)),
    "inner": lambda: build(InnerDistanceTaskConfig("in", ["fg"], 10.0, 10.0, 4.0)),
    "hot": lambda: build(HotDistanceTaskConfig("hot", ["fg"], 10.0, 10.0, 4.0)),
    "affinities": lambda: build(AffinitiesTaskConfig("aff", [Coordinate(1, 0), Coordinate(0, 1)])),
    "one_hot": lambda: build(OneHotTaskConfig("oh", ["bg", "fg"])),
}
READS = {
    "distance": "binary labels", "inner": "instance ids", "hot": "binary labels",
    "affinities": "instance ids", "one_hot": "class ids",
}


@pytest.fixture(scope="module")
def task():
    return TASKS["distance"]()


@pytest.fixture(scope="module")
def model(task):
    config = CNNectomeUNetConfig("net", input_shape=(20, 20), fmaps_out=2, fmaps_in=1,
                                 num_fmaps=2, fmap_inc_factor=2, downsample_factors=[])
    return task.create_model(config.architecture_type(config))


def trainer(datasets, model, task, **kwargs):
    values = dict(name="gp", batch_size=2, learning_rate=1e-3, num_data_fetchers=0)
    config = GunpowderTrainerConfig(**{**values, **kwargs})
    result = config.trainer_type(config)
    result.build_batch_provider(datasets, model, task)
    return result


def first_batch(trainer_):
    with trainer_:
        return trainer_.next_batch()


# -- ground truth that is not labels -------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TASKS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_non_integer_gt_is_refused_naming_dataset_task_and_opt_in(kind, dtype):
    task = TASKS[kind]()
    name = type(task).__name__
    message = (
        rf"^GunpowderTrainer 'gp': dataset 'd' \(ground truth 'NumpyArray'\) for {name} "
        rf"\({type(task.predictor).__name__}\): the ground truth has dtype "
        rf"{np.dtype(dtype)}, but this task reads it as {READS[kind]}.*set trust_gt=True "
        r"on the dataset's RawGTDatasetConfig \(or SimpleDataSplitConfig\)$"
    )
    with pytest.raises(ConfigError, match=message):
        # refused before the model is looked at: once per dataset, from the dtype
        trainer([dataset(gt=labels(dtype))], None, task)


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int32, np.uint64])
def test_integer_and_boolean_gt_train(model, task, dtype):
    batch = first_batch(trainer([dataset(gt=labels(dtype))], model, task, min_masked=0))
    assert batch["target"].shape == (2, 1, 16, 16)


def test_tasks_that_do_not_read_labels_take_float_gt():
    task = build(DummyTaskConfig("dummy", embedding_dims=2))
    task.predictor.check_gt(array(labels(np.float32)), "here")  # no error


def test_trust_gt_opts_in_to_float_labels(model, task):
    gt = labels(np.float32)
    batch = first_batch(trainer([dataset(gt=gt, trust_gt=True)], model, task, min_masked=0))
    assert np.isfinite(batch["target"]).all()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fetchers", [0, 1])
def test_negative_ids_are_refused_on_the_first_sample(model, task, fetchers):
    gt = labels(np.int64)
    gt[:, ::8] = -1  # every sample holds some
    data = dataset(gt=gt)
    message = (
        r"^GunpowderTrainer 'gp': dataset 'd' \(ground truth 'NumpyArray'\) for DistanceTask "
        r"\(DistancePredictor\): the ground truth holds negative values \(e.g. \[-1\]\), but "
        r"this task reads it as binary labels.*set trust_gt=True"
    )
    with pytest.raises(ConfigError, match=message):
        first_batch(trainer([data], model, task, min_masked=0, num_data_fetchers=fetchers))
    data.trust_gt = True
    assert first_batch(trainer([data], model, task, min_masked=0))["gt"].min() == -1


def test_raw_gt_dataset_carries_trust_gt(tmp_path, make_zarr):
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((8, 8), np.float32), voxel_size=(1, 1))
    make_zarr(tmp_path / "c.zarr", "gt", np.zeros((8, 8), np.float32), voxel_size=(1, 1))

    def config(**kwargs):
        arrays = {role: ZarrArrayConfig(role, tmp_path / "c.zarr", role) for role in ("raw", "gt")}
        return RawGTDatasetConfig("d", raw_config=arrays["raw"], gt_config=arrays["gt"], **kwargs)

    assert config().trust_gt is False
    trusted = config(trust_gt=True)
    assert trusted.dataset_type(trusted).trust_gt is True


# -- sampling that cannot succeed -----------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("fetchers", [0, 1])
def test_a_mask_without_annotations_fails_at_once_with_integral_sampling(model, task, fetchers):
    data = dataset(mask=np.zeros((SIZE, SIZE), np.uint8))
    built = trainer([data], model, task, min_masked=0.2, sample_strategy="integral_mask",
                    num_data_fetchers=fetchers)
    with pytest.raises(ConfigError, match=r"^dataset 'd': its mask has no annotated voxels "
                       r"\(mask > 0\) in \[0:60, 0:60\].*min_masked=0.2.*set the trainer's "
                       "min_masked to 0$"):
        first_batch(built)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("fetchers", [0, 1])
def test_rejection_sampling_gives_up_after_a_bounded_time(monkeypatch, model, task, fetchers):
    monkeypatch.setattr(_gp_sampling, "MAX_ATTEMPTS", 10**9)
    monkeypatch.setattr(_gp_sampling, "MAX_SECONDS", 0.5)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[0, 0] = 1  # annotated somewhere, but never 30% of a sample
    built = trainer([dataset(mask=mask)], model, task, min_masked=0.3, sample_strategy="reject",
                    num_data_fetchers=fetchers)
    with pytest.raises(ConfigError, match=r"^dataset 'd': no sample location with at least "
                       r"min_masked=0.3 annotated voxels found in \d+ tries \(\d+ s\); lower the "
                       r"trainer's min_masked .*sample_strategy='integral_mask'"):
        first_batch(built)


@pytest.mark.timeout(60)
def test_integral_sampling_gives_up_after_a_bounded_number_of_tries(monkeypatch, model, task):
    monkeypatch.setattr(_gp_sampling, "MAX_ATTEMPTS", 200)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[0, 0] = 1
    built = trainer([dataset(mask=mask)], model, task, min_masked=0.3,
                    sample_strategy="integral_mask")
    with pytest.raises(ConfigError, match=r"found in 200 tries"):
        first_batch(built)


@pytest.mark.parametrize("point", [(70, 5), (5, -1), (5, 5, 5)])
def test_sample_points_outside_the_gt_are_refused(model, task, point):
    data = dataset(sample_points=[Coordinate(10, 10), Coordinate(point)])
    with pytest.raises(ConfigError, match=r"dataset 'd' has the sample point "
                       + re.escape(str(tuple(point))) + r" outside its ground truth "
                       r"'NumpyArray' \(ROI \[0:60, 0:60\] \(60, 60\)\); `sample_points` are world "
                       "coordinates"):
        trainer([data], model, task, sample_strategy="sample_points", min_masked=0)


# -- errors in data workers reach the training loop --------------------------------------


@pytest.mark.timeout(60)
def test_an_error_reaches_the_loop_even_when_the_failing_node_cannot_be_pickled(model, task):
    # a source holding something unpicklable (an open file, a lock): gunpowder's own
    # error object, which carries the failing node, would be lost in the queue
    data = dataset(mask=np.zeros((SIZE, SIZE), np.uint8))
    data.raw._lock = threading.Lock()
    built = trainer([data], model, task, min_masked=0.2, sample_strategy="integral_mask",
                    num_data_fetchers=1)
    with pytest.raises(ConfigError, match=r"^dataset 'd': its mask has no annotated voxels"):
        first_batch(built)


def test_worker_errors_are_made_portable():
    class HoldsALock(ConfigError):
        def __init__(self, message):
            super().__init__(message)
            self.lock = threading.Lock()

    error = HoldsALock("dataset 'd': broken").with_context("outer")
    portable = pickle.loads(pickle.dumps(portable_error(error)))
    assert type(portable) is ConfigError and str(portable) == "outer: dataset 'd': broken"
    try:
        raise ValueError("numpy said no")
    except ValueError as cause:
        other = pickle.loads(pickle.dumps(portable_error(cause)))
    assert isinstance(other, RuntimeError) and "ValueError: numpy said no" in str(other)
