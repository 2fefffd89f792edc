"""ElasticAugment: one smooth deformation + rotation for every array of a batch."""

import math

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.gp import ElasticAugment

RAW, LABELS = gp.ArrayKey("RAW"), gp.ArrayKey("LABELS")
POINTS = gp.GraphKey("POINTS")
DATA = np.arange(100, dtype=np.float32).reshape(10, 10)
CENTRE = Roi((3, 3), (4, 4))


def _augment(angle=0.0, sigma=0.0, **kwargs):
    return ElasticAugment([4, 4], [sigma, sigma], (angle, angle), **kwargs)


def _padded(source, key, data, **kwargs):
    return source(key, data, **kwargs) + gp.Pad(key, None)


class RecordRequests(gp.BatchFilter):
    """Passes batches through and remembers the ROIs requested of it."""

    def __init__(self):
        self.rois = []

    def prepare(self, request):
        self.rois.append({key: spec.roi for key, spec in request.items()})

    def process(self, batch, request):
        pass


def test_without_deformation_the_data_is_unchanged(source, fetch):
    pipeline = _padded(source, RAW, DATA) + _augment()
    np.testing.assert_array_equal(fetch(pipeline, {RAW: CENTRE})[RAW].data, DATA[3:7, 3:7])


@pytest.mark.parametrize("dtype", [np.float32, np.uint16])
def test_quarter_turn_rotates_the_crop(source, fetch, dtype):
    # out(p) = in(c + R (p - c)): a quarter turn about the centre is an exact rot90
    pipeline = _padded(source, RAW, DATA.astype(dtype)) + _augment(angle=math.pi / 2)
    out = fetch(pipeline, {RAW: CENTRE})[RAW].data
    np.testing.assert_array_equal(out, np.rot90(DATA[3:7, 3:7], k=3))
    assert out.dtype == dtype


def test_labels_keep_their_values_and_the_requested_shape(source, fetch):
    labels = (np.arange(400).reshape(20, 20) // 37 * 11).astype(np.uint64)
    pipeline = _padded(source, LABELS, labels) + _augment(angle=0.3, sigma=2.0)
    for seed in range(5):
        out = fetch(pipeline, {LABELS: Roi((4, 4), (12, 10))}, seed=seed)[LABELS].data
        assert out.shape == (12, 10) and out.dtype == np.uint64
        assert set(np.unique(out)) <= set(np.unique(labels))


def test_raw_is_interpolated_and_labels_stay_aligned(source, fetch):
    blocks = np.kron(np.arange(16).reshape(4, 4), np.ones((5, 5))).astype(np.uint8)
    sources = (
        _padded(source, RAW, blocks.astype(np.float32)),
        _padded(source, LABELS, blocks),
    )
    pipeline = sources + gp.MergeProvider() + _augment(angle=0.5, sigma=1.0)
    batch = fetch(pipeline, {RAW: Roi((2, 2), (16, 16)), LABELS: Roi((2, 2), (16, 16))}, seed=3)
    raw, labels = batch[RAW].data, batch[LABELS].data
    assert not np.array_equal(raw, blocks[2:18, 2:18])
    assert not np.all(raw == np.round(raw))  # linear interpolation makes in-between values
    # inside the blocks raw is not blended, and there it must match the labels
    unblended = raw == np.round(raw)
    assert unblended.mean() > 0.4
    np.testing.assert_array_equal(raw[unblended], labels[unblended])


def test_arrays_of_different_voxel_sizes_see_the_same_rotation(source, fetch):
    fine = np.kron(np.arange(25).reshape(5, 5), np.ones((2, 2))).astype(np.uint8)
    coarse = np.arange(25, dtype=np.uint8).reshape(5, 5)
    sources = (_padded(source, RAW, fine), _padded(source, LABELS, coarse, voxel_size=(2, 2)))
    pipeline = sources + gp.MergeProvider() + _augment(angle=math.pi / 2)
    batch = fetch(pipeline, {RAW: Roi((2, 2), (6, 6)), LABELS: Roi((2, 2), (6, 6))})
    np.testing.assert_array_equal(batch[LABELS].data, np.rot90(coarse[1:4, 1:4], k=3))
    np.testing.assert_array_equal(batch[RAW].data[::2, ::2], batch[LABELS].data)


def test_upstream_request_grows_to_cover_the_rotation(source, fetch):
    recorder = RecordRequests()
    pipeline = source(RAW, DATA) + recorder + _augment(angle=math.pi / 4)
    fetch(pipeline, {RAW: CENTRE})
    upstream = recorder.rois[0][RAW]
    assert upstream.contains(CENTRE) and upstream != CENTRE


def test_probability_zero_leaves_batches_alone(source, fetch):
    augment = _augment(angle=1.0, sigma=5.0, augmentation_probability=0)
    pipeline = _padded(source, RAW, DATA) + augment
    np.testing.assert_array_equal(fetch(pipeline, {RAW: CENTRE})[RAW].data, DATA[3:7, 3:7])


def test_points_move_with_the_data(source, fetch):
    node = gp.Node(1, np.array([2.5, 5.5], dtype=np.float32))
    graph = gp.Graph([node], [], gp.GraphSpec(roi=Roi((0, 0), (10, 10))))
    from dacapo.gp import GraphSource

    pipeline = (_padded(source, RAW, DATA), GraphSource(POINTS, graph)) + gp.MergeProvider()
    pipeline += _augment(angle=math.pi / 2)
    batch = fetch(pipeline, {RAW: Roi((0, 0), (10, 10)), POINTS: Roi((0, 0), (10, 10))})
    (moved,) = list(batch[POINTS].nodes)
    # source(q) = c + R (q - c) = p  =>  q = c + R^T (p - c) with c = (5, 5)
    np.testing.assert_allclose(moved.location, [5.5, 7.5], atol=1e-4)
    # the value under the point moved with it: voxel (2, 5) of the input
    assert batch[RAW].data[5, 7] == DATA[2, 5]


def test_subsampled_and_uniform_3d_rotation(source, fetch):
    labels = (np.arange(12**3).reshape(12, 12, 12) % 7).astype(np.uint8)
    augment = ElasticAugment(
        [3, 3, 3], [1.0, 1.0, 1.0], (0, 0), subsample=2, uniform_3d_rotation=True
    )
    pipeline = _padded(source, LABELS, labels) + augment
    out = fetch(pipeline, {LABELS: Roi((2, 2, 2), (8, 6, 4))}, seed=1)[LABELS].data
    assert out.shape == (8, 6, 4) and set(np.unique(out)) <= set(range(7))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"control_point_spacing": [4]},
            r"ElasticAugment: `control_point_spacing`, `control_point_displacement_sigma` must "
            r"have the same length .*, got \[4\], \[1, 1\]",
        ),
        (
            {"control_point_spacing": [0, 4]},
            r"ElasticAugment: `control_point_spacing` must be .* > 0, got \(0, 4\)",
        ),
        (
            {"control_point_displacement_sigma": [-1, 1]},
            r"ElasticAugment: `control_point_displacement_sigma` must be .* >= 0, got \(-1, 1\)",
        ),
        (
            {"rotation_interval": (1.0, 0.0)},
            r"ElasticAugment: `rotation_interval` .* min <= max, got \(1.0, 0.0\)",
        ),
        ({"subsample": 0}, "ElasticAugment: `subsample` must be an integer >= 1, got 0"),
        (
            {"augmentation_probability": 2},
            r"ElasticAugment: `augmentation_probability` must be a number in \[0, 1\], got 2",
        ),
    ],
)
def test_invalid_arguments_are_refused(kwargs, match):
    arguments = {
        "control_point_spacing": [4, 4],
        "control_point_displacement_sigma": [1, 1],
        "rotation_interval": (0, 1),
    }
    arguments.update(kwargs)
    with pytest.raises(ConfigError, match=match):
        ElasticAugment(**arguments)


def test_values_per_axis_must_match_the_data(source, fetch):
    pipeline = _padded(source, RAW, DATA) + ElasticAugment([4, 4, 4], [1, 1, 1], (0, 1))
    with pytest.raises(gp.PipelineRequestError, match="has 3 values .* 2 spatial dimensions"):
        fetch(pipeline, {RAW: CENTRE})
