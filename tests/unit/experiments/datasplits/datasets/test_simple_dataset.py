from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets import SimpleDataset
from dacapo.experiments.datasplits.datasets.simple_dataset import (
    simple_dataset_config,
    split_container,
)

VOXEL = (2, 2, 2)
LABELS = np.array([0, 1, 2, 3] * 2, dtype=np.uint32).reshape(2, 2, 2)
FIRST = Roi((0, 0, 0), (2, 2, 4))  # the first two voxels along x


@pytest.fixture
def crop(tmp_path, make_zarr):
    """``data.zarr/train/crop0`` with labels; each test writes its own raw."""
    container = tmp_path / "data.zarr"
    make_zarr(container, "train/crop0/labels", LABELS, VOXEL)
    return container / "train" / "crop0"


def write_raw(make_zarr, crop, data):
    make_zarr(crop.parent.parent, "train/crop0/raw", data, VOXEL)


@pytest.mark.parametrize(
    "dtype, values, expected",
    [
        (np.uint8, [0, 255], [0.0, 1.0]),
        (np.uint8, [51, 102], [0.2, 0.4]),
        (np.uint16, [0, 65535], [0.0, 1.0]),
        (np.float32, [-0.5, 7.0], [-0.5, 7.0]),
        (np.float64, [0.25, 0.5], [0.25, 0.5]),
    ],
)
def test_raw_is_normalised_by_dtype(make_zarr, crop, dtype, values, expected):
    raw = np.zeros((2, 2, 2), dtype=dtype)
    raw[0, 0, :] = values
    write_raw(make_zarr, crop, raw)
    dataset = SimpleDataset("crop0", crop)
    read = dataset.raw[FIRST]
    np.testing.assert_allclose(read.ravel(), expected, rtol=1e-6)
    if np.issubdtype(dtype, np.integer):
        assert read.dtype == np.float32
    assert dataset.gt[FIRST].ravel().tolist() == [0, 1]
    assert dataset.mask is None


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint32, np.int64])
def test_other_integer_raw_is_rejected(make_zarr, crop, dtype):
    write_raw(make_zarr, crop, np.zeros((2, 2, 2), dtype=dtype))
    with pytest.raises(ConfigError, match=f"has dtype {np.dtype(dtype)}; expected uint8, uint16"):
        SimpleDataset("crop0", crop)


def test_integer_mask_becomes_values_above_zero(make_zarr, crop):
    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    mask = np.zeros((2, 2, 2), np.int32)
    mask[0, 0, :] = [7, 0]
    mask[1, 1, 1] = 1
    make_zarr(crop.parent.parent, "train/crop0/mask", mask, VOXEL)
    dataset = SimpleDataset("crop0", crop)
    assert dataset.mask.axes == ["z", "y", "x"]
    np.testing.assert_array_equal(
        dataset.mask[dataset.mask.roi], [[[1, 0], [0, 0]], [[0, 0], [0, 1]]]
    )


def test_boolean_mask_is_used_as_it_is(make_zarr, crop):
    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    make_zarr(crop.parent.parent, "train/crop0/mask", np.ones((2, 2, 2), bool), VOXEL)
    dataset = SimpleDataset("crop0", crop)
    assert dataset.mask.dtype == bool
    assert dataset.mask[dataset.mask.roi].all()


def test_float_mask_is_rejected(make_zarr, crop):
    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    make_zarr(crop.parent.parent, "train/crop0/mask", np.ones((2, 2, 2), np.float32), VOXEL)
    with pytest.raises(ConfigError, match="mask .* has dtype float32; expected a boolean or integer"):
        SimpleDataset("crop0", crop)


def test_missing_labels_are_reported(make_zarr, tmp_path):
    container = tmp_path / "data.zarr"
    make_zarr(container, "raw", np.zeros((2, 2, 2), np.uint8), VOXEL)
    with pytest.raises(ConfigError, match=r"'solo': .*data.zarr/labels does not exist"):
        simple_dataset_config("solo", container)


def test_array_names_use_the_prefix(make_zarr, crop):
    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    config = simple_dataset_config("crop0", crop, array_prefix="split_train_crop0")
    assert config.gt_config.name == "split_train_crop0_gt"
    assert config.gt_config.dataset == "train/crop0/labels"


def test_split_container():
    assert split_container(Path("/d/data.zarr/train/crop0")) == (Path("/d/data.zarr"), "train/crop0")
    assert split_container(Path("/d/data.n5")) == (Path("/d/data.n5"), "")
    with pytest.raises(ConfigError, match="/d/data is not inside a zarr or N5 container"):
        split_container(Path("/d/data"))


def test_sample_points_come_from_the_group_attribute(make_zarr, crop):
    import zarr

    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    assert SimpleDataset("crop0", crop).sample_points is None
    zarr.open_group(str(crop), mode="a").attrs["sample_points"] = [[0, 2, 2], [2, 0, 0]]
    from funlib.geometry import Coordinate

    assert SimpleDataset("crop0", crop).sample_points == [Coordinate(0, 2, 2), Coordinate(2, 0, 0)]


def test_malformed_sample_points_are_reported(make_zarr, crop):
    import zarr

    write_raw(make_zarr, crop, np.zeros((2, 2, 2), np.uint8))
    zarr.open_group(str(crop), mode="a").attrs["sample_points"] = [[0.5, 2, 4]]
    with pytest.raises(ConfigError, match=r"'sample_points' attribute of .*must be a list of integer"):
        SimpleDataset("crop0", crop)
