"""BinarizeArray: one uint8 channel per group of label ids."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig, ZarrArrayConfig

LABELS = np.array([[0, 1, 2], [3, 4, 0]], dtype=np.uint16)


def zarr_config(make_zarr, tmp_path, name, data, voxel_size=(1, 1), axes=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, None, axes)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def binarize(source, groupings, **kwargs):
    config = BinarizeArrayConfig(
        name="binary", source_array_config=source, groupings=groupings, **kwargs
    )
    return config.array_type(config)


def test_one_channel_per_group(tmp_path, make_zarr):
    labels = zarr_config(make_zarr, tmp_path, "labels", LABELS, voxel_size=(2, 2))
    array = binarize(labels, [("a", [1, 2]), ("b", [4]), ("fg", [])])
    assert array.axes == ["c", "y", "x"]
    assert array.dtype == np.uint8
    assert array.num_channels == 3
    assert array.channels == ["a", "b", "fg"]
    assert array.shape == (3, 2, 3)
    values = array[array.roi]
    assert values.dtype == np.uint8
    np.testing.assert_array_equal(values[0], [[0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(values[1], [[0, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(values[2], [[0, 1, 1], [1, 1, 0]])
    # second row, last two columns
    np.testing.assert_array_equal(array[Roi((2, 2), (2, 4))][:, 0], [[0, 0], [1, 0], [1, 0]])


def test_empty_group_uses_background(tmp_path, make_zarr):
    labels = zarr_config(make_zarr, tmp_path, "labels", LABELS)
    array = binarize(labels, [("not3", [])], background=3)
    np.testing.assert_array_equal(array[array.roi][0], [[1, 1, 1], [0, 1, 1]])


def test_groupings_given_as_lists_equal_tuples(tmp_path):
    source = ZarrArrayConfig(name="l", file_name=tmp_path / "c.zarr", dataset="l")
    as_lists = BinarizeArrayConfig("b", source, [["a", [1, 2]]])
    as_tuples = BinarizeArrayConfig("b", source, [("a", (1, 2))])
    assert as_lists == as_tuples
    assert as_lists.groupings == [("a", [1, 2])]


def test_source_with_channels_is_refused(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "multi", np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ConfigError, match=r"BinarizeArray 'binary'.*'multi' has a channel axis"):
        binarize(source, [("a", [1])])


def test_float_source_is_refused(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "raw", np.zeros((2, 3), np.float32))
    with pytest.raises(ConfigError, match="dtype float32; expected integer label ids"):
        binarize(source, [("a", [1])])


@pytest.mark.parametrize(
    "groupings, message",
    [
        ([], "must be a non-empty list"),
        ([("a", [1]), ("a", [2])], r"\['a'\] appear more than once"),
        ([("a", ["x"])], "is not a \\(name, list of int ids\\) pair"),
        ([(1, [2])], "is not a \\(name, list of int ids\\) pair"),
        (["a"], "is not a \\(name, list of int ids\\) pair"),
        ([("a", 5)], "is not a \\(name, list of int ids\\) pair"),
        ([("a", [1], 2)], "is not a \\(name, list of int ids\\) pair"),
    ],
)
def test_bad_groupings(tmp_path, groupings, message):
    source = ZarrArrayConfig(name="l", file_name=tmp_path / "c.zarr", dataset="l")
    with pytest.raises(ConfigError, match=message):
        BinarizeArrayConfig(name="binary", source_array_config=source, groupings=groupings)
