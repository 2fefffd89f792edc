"""Openable examples of every registered dataset and datasplit config, and
the geometry every opened dataset must have.

``DATASETS`` maps a ``DatasetConfig`` class name to ``(build(tmp_path) ->
config, has gt, has mask)``; ``DATASPLITS`` maps a ``DataSplitConfig`` class
name to ``(build(tmp_path) -> config, training dataset names, validation
dataset names)``. The contract suites (``test_datasets.py``,
``test_datasplits.py``) fail for a registered class without an entry.
"""

from __future__ import annotations

from pathlib import Path

import attr
import numpy as np
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits import (
    DummyDataSplitConfig,
    SimpleDataSplitConfig,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets import Dataset, DummyDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import Array
from tests.contracts.config_examples import EXAMPLES as CONFIG_EXAMPLES


def _raw_gt(tmp_path: Path, name: str = "crop_1"):
    """Raw intensities, zarr labels, a mask of ones and two sample points."""
    return attr.evolve(CONFIG_EXAMPLES["RawGTDatasetConfig"](tmp_path), name=name)


def _simple(tmp_path: Path) -> SimpleDataSplitConfig:
    from dacapo.utils.synthetic import write_synthetic_container

    container = write_synthetic_container(
        tmp_path / "synthetic.zarr", train_crops=2, validate_crops=1, shape=(12, 12, 12),
        voxel_size=(8, 4, 4),
    )
    return SimpleDataSplitConfig("simple", container)


DATASETS = {
    "DummyDatasetConfig": (lambda tmp_path: DummyDatasetConfig("dummy_dataset"), False, False),
    "RawGTDatasetConfig": (_raw_gt, True, True),
}

DATASPLITS = {
    "DummyDataSplitConfig": (
        lambda tmp_path: DummyDataSplitConfig("dummy_split"), ["dummy_dataset"], []
    ),
    "SimpleDataSplitConfig": (_simple, ["crop0", "crop1"], ["crop0"]),
    "TrainValidateDataSplitConfig": (
        lambda tmp_path: TrainValidateDataSplitConfig(
            "split", train_configs=[_raw_gt(tmp_path)],
            validate_configs=[_raw_gt(tmp_path, "crop_2")],
        ),
        ["crop_1"],
        ["crop_2"],
    ),
}


def _check_array(array: Array, what: str) -> None:
    """An array on its voxel grid: its ROI is made of whole voxels, and reading
    the ROI gives one value per voxel (and channel)."""
    assert isinstance(array, Array), f"{what} is a {type(array).__name__}, not an Array"
    voxel_size = array.voxel_size
    assert isinstance(voxel_size, Coordinate) and all(v > 0 for v in voxel_size), what
    assert array.roi.dims == voxel_size.dims == array.dims, what
    assert array.roi.offset % voxel_size == Coordinate((0,) * array.dims), what
    assert array.roi.shape % voxel_size == Coordinate((0,) * array.dims), what
    assert not array.roi.empty, what
    data = np.asarray(array[array.roi])
    assert data.shape[-array.dims:] == tuple(array.roi.shape / voxel_size), what


def check_dataset(dataset: Dataset) -> None:
    """The contract of an opened dataset: raw, and (when given) gt and mask are
    arrays with consistent voxel sizes and overlapping ROIs; sample points lie in gt."""
    assert isinstance(dataset, Dataset)
    assert isinstance(dataset.name, str) and dataset.name
    assert isinstance(dataset.weight, int) and dataset.weight > 0
    _check_array(dataset.raw, f"{dataset.name}: raw")
    gt, mask = dataset.gt, dataset.mask
    if gt is not None:
        _check_array(gt, f"{dataset.name}: gt")
        assert gt.dims == dataset.raw.dims
        assert not gt.roi.intersect(dataset.raw.roi).empty
    if mask is not None:
        _check_array(mask, f"{dataset.name}: mask")
        assert gt is not None, "a mask without ground truth masks nothing"
        assert mask.voxel_size == gt.voxel_size
        assert not mask.roi.intersect(gt.roi).empty
    for point in dataset.sample_points or []:
        assert gt is not None and gt.roi.contains(Coordinate(point)), point


def example_of(kind: str, table: dict, name: str, tmp_path: Path):
    """The example config of registered class ``name`` and its expectations;
    fails (naming the table to extend) when ``table`` has no entry."""
    import pytest

    if name not in table:
        pytest.fail(
            f"{name} is a registered {kind} without an example; add one to "
            f"{'DATASETS' if kind == 'DatasetConfig' else 'DATASPLITS'} in "
            "tests/contracts/dataset_examples.py"
        )
    factory, *expected = table[name]
    config = factory(tmp_path)
    assert type(config).__name__ == name
    return (config, *expected)
