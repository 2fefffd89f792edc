"""MergeInstancesArray: ids of later sources shifted past earlier maxima."""

from __future__ import annotations

import numpy as np
import pytest
import zarr
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import (
    MergeInstancesArrayConfig,
    ZarrArrayConfig,
    merge_instances_array,
)


def zarr_config(make_zarr, tmp_path, name, data, attrs=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), (1, 1), None)
    if attrs:
        zarr.open(str(tmp_path / "data.zarr"))[name].attrs.update(attrs)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def merge(sources):
    config = MergeInstancesArrayConfig(name="merged", source_array_configs=sources)
    return config.array_type(config)


def test_ids_stay_unique(tmp_path, make_zarr):
    # a plain sum (upstream HEAD) would give b's ids 1 and 2 again
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[0, 1, 2], [0, 0, 0]], np.uint8))
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[0, 0, 0], [1, 0, 2]], np.uint8))
    array = merge([a, b])
    assert array.dtype == np.uint64
    assert array.offsets == [0, 2]
    values = array[array.roi]
    assert values.dtype == np.uint64
    np.testing.assert_array_equal(values, [[0, 1, 2], [3, 0, 4]])


def test_offset_uses_maximum_over_the_whole_source(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[1, 0, 0, 9]], np.uint16))
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[0, 1, 0, 0]], np.uint16))
    c = zarr_config(make_zarr, tmp_path, "c", np.array([[0, 0, 1, 0]], np.uint16))
    array = merge([a, b, c])
    # the read ROI does not contain a's id 9, the offsets still account for it
    np.testing.assert_array_equal(array[Roi((0, 0), (1, 3))], [[1, 10, 11]])


def test_later_sources_win_on_overlap(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[1, 1]], np.uint8))
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[0, 1]], np.uint8))
    np.testing.assert_array_equal(merge([a, b])[Roi((0, 0), (1, 2))], [[1, 2]])


def test_max_id_attribute_is_used(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[1, 2]], np.uint8), {"max_id": 10})
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[0, 1]], np.uint8))
    array = merge([a, b])
    assert array.offsets == [0, 10]
    np.testing.assert_array_equal(array[array.roi], [[1, 11]])


def test_maximum_is_found_block_by_block(tmp_path, make_zarr, monkeypatch):
    monkeypatch.setattr(merge_instances_array, "_SCAN_BLOCK_VOXELS", 2)
    data = np.zeros((5, 2), np.uint32)
    data[4, 1] = 7  # only in the last slab
    a = zarr_config(make_zarr, tmp_path, "a", data)
    b = zarr_config(make_zarr, tmp_path, "b", np.ones((5, 2), np.uint32))
    array = merge([a, b])
    assert array.offsets == [0, 7]
    assert array[Roi((0, 0), (1, 1))].item() == 8


@pytest.mark.parametrize("max_id", [-1, "12", 1.5])
def test_bad_max_id_attribute(tmp_path, make_zarr, max_id):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[1]], np.uint8), {"max_id": max_id})
    array = merge([a, a])
    with pytest.raises(ConfigError, match="has a `max_id` attribute .* expected a non-negative"):
        array[array.roi]


def test_sources_must_be_labels(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((1, 2), np.float32))
    with pytest.raises(ConfigError, match="MergeInstancesArray 'merged'.*expected integer label"):
        merge([a])


def test_source_list_must_not_be_empty():
    with pytest.raises(ConfigError, match="`source_array_configs` must be a non-empty list"):
        MergeInstancesArrayConfig(name="merged", source_array_configs=[])
