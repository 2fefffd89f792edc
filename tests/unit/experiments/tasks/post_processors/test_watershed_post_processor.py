import re

import numpy as np
import pytest
import zarr
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    WatershedPostProcessor,
    WatershedPostProcessorParameters,
)
from dacapo.experiments.tasks.post_processors.watershed_post_processor import _absorb
from dacapo.store.array_identifiers import LocalArrayIdentifier
from dacapo.utils.affinities import seg_to_affgraph

NEIGHBORHOOD = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (3, 0, 0), (0, 3, 0), (0, 0, 3)]


def adapted_rand_error(segmentation, truth):
    """1 - F-score of pairs of truth-foreground voxels in the same object."""
    inside = truth != 0
    _, seg = np.unique(segmentation[inside], return_inverse=True)
    _, gt = np.unique(truth[inside], return_inverse=True)
    table = np.zeros((seg.max() + 1, gt.max() + 1))
    np.add.at(table, (seg, gt), 1)
    together = (table**2).sum()
    precision = together / (table.sum(axis=1) ** 2).sum()
    recall = together / (table.sum(axis=0) ** 2).sum()
    return 1 - 2 * precision * recall / (precision + recall)


def five_objects():
    labels = np.zeros((16, 16, 16), np.uint64)
    labels[1:7, 1:8, 1:15] = 1
    labels[1:7, 9:15, 1:15] = 2
    labels[8:15, 1:15, 1:7] = 3
    labels[8:15, 1:15, 8:12] = 4
    labels[8:15, 1:6, 12:15] = 5
    return labels


def noisy_affinities(labels, neighborhood, voxel_size, axes=("c", "z", "y", "x")):
    rng = np.random.default_rng(0)
    affs = seg_to_affgraph(labels, neighborhood).astype(np.float32)
    affs = np.clip(affs + rng.normal(0, 0.1, affs.shape), 0, 1).astype(np.float32)
    roi = Roi((0,) * labels.ndim, tuple(np.array(labels.shape) * voxel_size))
    return NumpyArray.from_np_array(affs, roi, voxel_size, axes)


def test_grid_of_biases_with_filesystem_safe_names():
    parameters = list(WatershedPostProcessor(NEIGHBORHOOD).enumerate_parameters())
    assert [p.id for p in parameters] == [0, 1, 2, 3, 4]
    assert [p.bias for p in parameters] == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert str(parameters[2]) == "bias_0.5_context_32-32-32"
    assert all(re.fullmatch(r"[\w.\-]+", str(p)) for p in parameters)


def test_mutex_watershed_of_noisy_affinities_reproduces_the_labels():
    labels = five_objects()
    post_processor = WatershedPostProcessor(NEIGHBORHOOD)
    post_processor.set_prediction(noisy_affinities(labels, NEIGHBORHOOD, (2, 2, 2)))
    output = post_processor.process(WatershedPostProcessorParameters(id=2, bias=0.5))
    segmentation = output[output.roi]
    assert output.dtype == np.uint64 and output.axes == ["z", "y", "x"]
    assert output.roi == Roi((0, 0, 0), (32, 32, 32))
    assert adapted_rand_error(segmentation, labels) < 0.05
    assert len(np.unique(segmentation[labels != 0])) == 5
    assert not segmentation[labels == 0].any()


def test_2d_affinities_encoded_as_uint8():
    labels = np.zeros((10, 10), np.uint64)
    labels[1:5, 1:9], labels[6:9, 1:4], labels[6:9, 5:9] = 1, 2, 3
    neighborhood = [(1, 0), (0, 1)]
    affs = (seg_to_affgraph(labels, neighborhood) * 250).astype(np.uint8)
    array = NumpyArray.from_np_array(affs, Roi((0, 0), (10, 10)), (1, 1), ["c", "y", "x"])
    post_processor = WatershedPostProcessor(neighborhood)
    post_processor.set_prediction(array)
    output = post_processor.process(WatershedPostProcessorParameters(id=0, bias=0.5))
    assert adapted_rand_error(output[output.roi], labels) == 0
    assert not output[output.roi][labels == 0].any()


def test_each_block_gets_its_own_ids():
    labels = np.zeros((1, 8, 8), np.uint64)
    labels[0, 1:7, 1:7] = 1
    neighborhood = [(0, 1, 0), (0, 0, 1)]
    post_processor = WatershedPostProcessor(neighborhood)
    post_processor.set_prediction(noisy_affinities(labels, neighborhood, (1, 1, 1)))
    parameters = WatershedPostProcessorParameters(id=0, bias=0.5, context=(0, 0, 0))
    segmentation = post_processor.process(parameters, block_size=(1, 4, 8))[Roi((0, 0, 0), (1, 8, 8))]
    top, bottom = segmentation[0, 1:4, 1:7], segmentation[0, 4:7, 1:7]
    assert len(np.unique(top)) == len(np.unique(bottom)) == 1
    assert top[0, 0] != bottom[0, 0] and top[0, 0] != 0 and bottom[0, 0] != 0


def test_zarr_prediction_and_output(tmp_path, make_zarr):
    labels = five_objects()[:8, :8, :8]
    affs = noisy_affinities(labels, NEIGHBORHOOD[:3], (1, 1, 1))
    make_zarr(tmp_path / "p.zarr", "affs", affs.data, voxel_size=(1, 1, 1), offset=(4, 0, 0))
    post_processor = WatershedPostProcessor(NEIGHBORHOOD[:3])
    post_processor.set_prediction(LocalArrayIdentifier(tmp_path / "p.zarr", "affs"))
    parameters = WatershedPostProcessorParameters(id=1, bias=0.5)
    post_processor.process(parameters, LocalArrayIdentifier(tmp_path / "o.zarr", str(parameters)))
    stored = zarr.open(str(tmp_path / "o.zarr"), mode="r")[str(parameters)]
    assert stored.dtype == np.uint64 and stored.attrs["offset"] == [4, 0, 0]
    assert adapted_rand_error(stored[:], labels) < 0.05


@pytest.mark.parametrize("offsets", [[], [(1, 0), (0, 0, 1)]])
def test_offsets_must_share_one_dimensionality(offsets):
    with pytest.raises(ConfigError, match="must be a non-empty list of offsets"):
        WatershedPostProcessor(offsets)


@pytest.mark.parametrize(
    "shape, axes",
    [
        ((3, 4, 4), ["c", "y", "x"]),  # 2D
        ((2, 4, 4, 4), ["c", "z", "y", "x"]),  # too few channels
        ((4, 4, 4), ["z", "y", "x"]),  # no channel axis
    ],
)
def test_prediction_must_hold_one_channel_per_offset(shape, axes):
    dims = len(axes) - ("c" in axes)
    array = NumpyArray.from_np_array(
        np.zeros(shape, np.float32), Roi((0,) * dims, (4,) * dims), (1,) * dims, axes
    )
    with pytest.raises(ConfigError, match="does not fit 3 3D offsets"):
        WatershedPostProcessor([(1, 0, 0), (0, 1, 0), (0, 0, 1)]).set_prediction(array)


def _segment_noisy(min_object_size):
    labels = five_objects()
    affs = seg_to_affgraph(labels, NEIGHBORHOOD).astype(np.float32)
    noise = np.random.default_rng(1).normal(0, 0.2, affs.shape)
    array = NumpyArray.from_np_array(np.clip(affs + noise, 0, 1).astype(np.float32),
                                     Roi((0, 0, 0), (16, 16, 16)), (1, 1, 1), ["c", "z", "y", "x"])
    post_processor = WatershedPostProcessor(NEIGHBORHOOD, min_object_size=min_object_size)
    post_processor.set_prediction(array)
    output = post_processor.process(WatershedPostProcessorParameters(id=2, bias=0.5))
    return labels, output[output.roi]


def test_small_fragments_join_their_neighbours():
    labels, dusty = _segment_noisy(min_object_size=0)
    assert len(np.unique(dusty)) - 1 > 5  # the noise makes fragments besides the 5 objects
    labels, clean = _segment_noisy(min_object_size=8)
    ids, sizes = np.unique(clean[clean != 0], return_counts=True)
    assert len(ids) == 5 and sizes.min() >= 8
    assert adapted_rand_error(clean, labels) == 0
    # fragment voxels joined an object next to them; no object lost voxels
    assert np.array_equal(clean[dusty != 0] != 0, np.ones((dusty != 0).sum(), bool))


def test_fragments_touching_no_object_become_background():
    labels = np.zeros((1, 1, 40), np.uint64)
    labels[0, 0, :20] = 7  # an object
    labels[0, 0, 20:30] = 8  # a fragment touching it, 10 voxels long
    labels[0, 0, 33:36] = 9  # a fragment with background between it and the object
    absorbed = _absorb(labels, (labels == 8) | (labels == 9), max_steps=4)
    assert (absorbed[0, 0, :24] == 7).all()  # grown 4 voxels into the fragment
    assert not absorbed[0, 0, 24:].any()


@pytest.mark.parametrize("size", [-1, 2.5, "8"])
def test_min_object_size_is_a_count(size):
    with pytest.raises(ConfigError, match="min_object_size"):
        WatershedPostProcessor(NEIGHBORHOOD, min_object_size=size)


def _uint8_prediction(shape=(24, 24, 24)):
    labels = np.zeros(shape, np.uint64)
    labels[2:12, 1:-1, 1:-1], labels[13:-1, 1:-1, 1:10], labels[13:-1, 1:-1, 11:-1] = 1, 2, 3
    affs = noisy_affinities(labels, NEIGHBORHOOD, (1, 1, 1)).data
    return NumpyArray.from_np_array((affs * 255).astype(np.uint8), Roi((0, 0, 0), shape),
                                    (1, 1, 1), ["c", "z", "y", "x"])


@pytest.mark.parametrize("bias, min_object_size", [(0.5, 0), (0.3, 40)])
def test_segmenting_a_roi_equals_segmenting_its_float_affinities(bias, min_object_size):
    post_processor = WatershedPostProcessor(NEIGHBORHOOD, min_object_size=min_object_size)
    post_processor.set_prediction(_uint8_prediction())
    roi = Roi((2, 0, 3), (20, 24, 18))
    from_roi = post_processor._segment_roi(roi, bias)
    # the same steps with float64 affinities and support throughout
    affinities = post_processor.prediction_array[roi][: len(NEIGHBORHOOD)].astype(np.float64) / 255
    support = post_processor._short_range(affinities).max(axis=0).ravel()
    labels = post_processor._agglomerate(affinities, bias)
    expected = post_processor._filter(labels, support, bias)
    assert from_roi.dtype == expected.dtype and len(np.unique(expected)) > 2
    np.testing.assert_array_equal(from_roi, expected)


def test_only_the_affinities_are_held_while_the_mutex_watershed_runs(monkeypatch):
    import tracemalloc

    import mwatershed

    post_processor = WatershedPostProcessor(NEIGHBORHOOD)
    post_processor.set_prediction(_uint8_prediction())
    held = []
    agglom = mwatershed.agglom

    def measured(affinities, offsets):
        held.append((tracemalloc.get_traced_memory()[0], affinities.nbytes))
        return agglom(affinities, offsets)

    monkeypatch.setattr(mwatershed, "agglom", measured)
    tracemalloc.start()
    try:
        post_processor._segment_roi(post_processor.prediction_array.roi, 0.5)
    finally:
        tracemalloc.stop()
    (traced, affinities), = held
    # float64 affinities; at most a byte per voxel besides (no float64 support)
    assert traced < affinities * (1 + 1 / 8 / len(NEIGHBORHOOD)) + 64 * 1024
