import gunpowder as gp
import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.architectures.architecture import Architecture
from dacapo.experiments.arraytypes import EmbeddingArray
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import AffinitiesPredictor
from dacapo.experiments.tasks.predictors.affinities_predictor import grow_boundary

NEIGHBORHOOD_3D = [Coordinate(1, 0, 0), Coordinate(0, 1, 0), Coordinate(0, 0, 1)]
NEIGHBORHOOD_2D = [Coordinate(0, 1), Coordinate(1, 0)]


class _Tiny2D(Architecture):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 1)

    @property
    def input_shape(self):
        return Coordinate(8, 8)

    @property
    def num_in_channels(self):
        return 1

    @property
    def num_out_channels(self):
        return 2

    def forward(self, x):
        return self.conv(x)


def _gt(labels, voxel_size=None):
    labels = np.asarray(labels)
    voxel_size = voxel_size or (1,) * labels.ndim
    shape = Coordinate(labels.shape) * Coordinate(voxel_size)
    axes = ["z", "y", "x"][-labels.ndim :]
    return NumpyArray.from_np_array(labels, Roi((0,) * labels.ndim, shape), voxel_size, axes)


def _blobs_3d():
    labels = np.zeros((6, 6, 6), dtype=np.uint64)
    labels[1:4, 1:4, 1:4] = 1
    labels[4:, 2:5, 2:5] = 2
    return labels


@pytest.mark.parametrize(
    ("lsds", "neighborhood", "channels"),
    [
        (False, NEIGHBORHOOD_3D, 3),
        (True, NEIGHBORHOOD_3D, 13),
        (False, NEIGHBORHOOD_2D, 2),
        (True, NEIGHBORHOOD_2D, 8),
    ],
)
def test_channel_counts_with_and_without_lsds(lsds, neighborhood, channels):
    predictor = AffinitiesPredictor(neighborhood, lsds=lsds, num_voxels=1)
    labels = _blobs_3d() if len(neighborhood[0]) == 3 else _blobs_3d()[2]
    target = predictor.create_target(_gt(labels))
    assert predictor.num_channels == channels == target.num_channels
    assert predictor.output_array_type == EmbeddingArray(channels)
    if len(neighborhood[0]) == 3:
        config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
        architecture = config.architecture_type(config)
    else:
        architecture = _Tiny2D()
    model = predictor.create_model(architecture)
    assert model.num_out_channels == channels
    assert isinstance(model.eval_activation, torch.nn.Sigmoid)


def test_affinity_target_hand_checked():
    predictor = AffinitiesPredictor(NEIGHBORHOOD_2D, lsds=False)
    target = predictor.create_target(_gt([[1, 1, 2, 0]]))
    assert target.dtype == np.float32
    np.testing.assert_array_equal(target.data[0, 0], [1, 0, 0, 0])  # (0, 1): right neighbour
    np.testing.assert_array_equal(target.data[1, 0], [0, 0, 0, 0])  # (1, 0): outside
    background = AffinitiesPredictor(NEIGHBORHOOD_2D, lsds=False, background_as_object=True)
    np.testing.assert_array_equal(background.create_target(_gt([[0, 0, 1]])).data[0, 0], [1, 0, 0])


def test_lsd_channels_are_local_shape_descriptors():
    predictor = AffinitiesPredictor(NEIGHBORHOOD_3D, lsds=True, num_voxels=2)
    target = predictor.create_target(_gt(_blobs_3d(), voxel_size=(4, 4, 4)))
    lsds = target.data[3:]
    assert lsds.shape == (10, 6, 6, 6)
    assert lsds.min() >= 0 and lsds.max() <= 1
    assert np.all(lsds[:, 0, 0, 0] == 0)  # background has no descriptor
    assert lsds[9, 2, 2, 2] > 0  # the size component inside an object


def test_downsampled_lsds_accept_any_shape():
    predictor = AffinitiesPredictor(NEIGHBORHOOD_3D, lsds=True, num_voxels=2, downsample_lsds=2)
    target = predictor.create_target(_gt(_blobs_3d()[:5, :5, :5]))
    assert target.data.shape == (13, 5, 5, 5)


def test_affinity_weights_balance_each_offset_over_edges_inside_the_mask():
    gt = _gt([[1, 1, 1, 0]])
    predictor = AffinitiesPredictor(NEIGHBORHOOD_2D, lsds=False)
    target = predictor.create_target(gt)
    weight, counts = predictor.create_weight(gt, target, None, None)
    # (0, 1): edges 1-1, 1-1 connected, 1-0 cut, last voxel has no neighbour
    np.testing.assert_allclose(weight.data[0, 0], [0.75, 0.75, 1.5, 0.0])
    # (1, 0): every neighbour is outside the single row
    np.testing.assert_array_equal(weight.data[1, 0], [0, 0, 0, 0])
    assert counts[0] == {0: (1.0, 3.0), 1: (2.0, 3.0)} and len(counts) == 2
    mask = _gt(np.array([[1, 1, 0, 1]]))
    weight, _ = predictor.create_weight(gt, target, mask, None)
    # only the first edge has both ends in the mask: all connected, fraction clipped to 0.95
    np.testing.assert_allclose(weight.data[0, 0], [1 / (2 * 0.95), 0.0, 0.0, 0.0], rtol=1e-6)


def test_lsd_weights_balance_objects_and_background():
    gt = _gt(np.array([[[1, 0, 0, 0]]]))
    predictor = AffinitiesPredictor(
        NEIGHBORHOOD_3D, lsds=True, num_voxels=1, lsd_weight_clipmin=0.1
    )
    target = predictor.create_target(gt)
    weight, counts = predictor.create_weight(gt, target, None, None)
    assert weight.data.shape == (13, 1, 1, 4)
    for channel in range(3, 13):
        np.testing.assert_allclose(weight.data[channel, 0, 0], [2.0, 2 / 3, 2 / 3, 2 / 3])
    assert counts[-1] == {0: (3.0, 4.0), 1: (1.0, 4.0)} and len(counts) == 4
    _, counts = predictor.create_weight(gt, target, None, counts)
    assert counts[-1] == {0: (6.0, 8.0), 1: (2.0, 8.0)}


def test_grow_boundary_erodes_objects_at_other_labels():
    labels = np.array([[1, 1, 1, 2, 2, 0]])
    np.testing.assert_array_equal(grow_boundary(labels, 1), [[1, 1, 0, 0, 0, 0]])
    long_row = np.array([[1, 1, 1, 1, 2, 2, 2, 2]])
    np.testing.assert_array_equal(grow_boundary(long_row, 2), [[1, 1, 0, 0, 0, 0, 2, 2]])
    np.testing.assert_array_equal(grow_boundary(labels, 0), labels)
    predictor = AffinitiesPredictor(NEIGHBORHOOD_2D, lsds=False, grow_boundary_iterations=1)
    target = predictor.create_target(_gt([[1, 1, 1, 2, 2, 2]]))  # grown to 1 1 0 0 2 2
    np.testing.assert_array_equal(target.data[0, 0], [1, 0, 0, 0, 1, 0])


def test_gt_region_grows_by_the_neighbourhood_reach():
    predictor = AffinitiesPredictor([Coordinate(1, 0), Coordinate(0, -2)], lsds=False)
    spec = gp.ArraySpec(roi=gp.Roi((0, 0), (40, 40)), voxel_size=gp.Coordinate(4, 4))
    assert predictor.gt_region_for_roi(spec).roi == gp.Roi((0, -8), (44, 48))
    assert predictor.padding(Coordinate(4, 4)) == Coordinate(4, 8)


def test_gt_region_needs_a_voxel_size():
    predictor = AffinitiesPredictor(NEIGHBORHOOD_2D, lsds=False)
    with pytest.raises(ConfigError, match="has no voxel size"):
        predictor.gt_region_for_roi(Roi((0, 0), (4, 4)))


def test_gt_of_the_wrong_dimensionality_is_an_error():
    predictor = AffinitiesPredictor(NEIGHBORHOOD_3D, lsds=False)
    with pytest.raises(ConfigError, match="is 2D but the neighborhood .* is 3D"):
        predictor.create_target(_gt(np.zeros((3, 3), dtype=np.uint8)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            dict(neighborhood=[]),
            r"AffinitiesPredictor: `neighborhood` must be a non-empty .*got \[\]",
        ),
        (
            dict(neighborhood=[(1, 0), (0, 0, 1)]),
            r"`neighborhood` must be a non-empty list .*, got \[\(1, 0\), \(0, 0, 1\)\]",
        ),
        (dict(neighborhood=[(1,)]), r"2D or 3D offsets.*, got \[\(1,\)\]"),
        (
            dict(neighborhood=[(1, 0), (1, 0)]),
            r"got \[\(1, 0\), \(1, 0\)\]; .*zero or repeated offset",
        ),
        (dict(neighborhood=[(0, 0)]), r"got \[\(0, 0\)\]; .*zero or repeated offset"),
        (dict(num_voxels=0), "AffinitiesPredictor: `num_voxels` must be an integer >= 1, got 0"),
        (dict(downsample_lsds=1.5), "`downsample_lsds` must be an integer >= 1, got 1.5"),
        (
            dict(grow_boundary_iterations=-1),
            "`grow_boundary_iterations` must be an integer >= 0, got -1",
        ),
        (dict(affs_weight_clipmin=0), "`affs_weight_clipmin` must be a finite number > 0, got 0"),
        (
            dict(lsd_weight_clipmax=2),
            "0 < lsd_weight_clipmin <= lsd_weight_clipmax <= 1, got 0.05, 2",
        ),
    ],
)
def test_bad_arguments_are_errors(kwargs, message):
    arguments = dict(neighborhood=NEIGHBORHOOD_2D)
    arguments.update(kwargs)
    with pytest.raises(ConfigError, match=message):
        AffinitiesPredictor(**arguments)
