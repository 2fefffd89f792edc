import numpy as np
import pytest
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.utils.affinities import padding, seg_to_affgraph


def test_1d_affinities_connect_equal_non_zero_neighbours():
    seg = np.array([1, 1, 1, 2, 2, 0, 0, 3])
    affs = seg_to_affgraph(seg, [(1,), (-1,), (2,)])
    assert affs.dtype == np.uint8 and affs.shape == (3, 8)
    # +1: voxel p vs p+1; the last voxel has no neighbour
    np.testing.assert_array_equal(affs[0], [1, 1, 0, 1, 0, 0, 0, 0])
    # -1: voxel p vs p-1; the first voxel has no neighbour
    np.testing.assert_array_equal(affs[1], [0, 1, 1, 0, 1, 0, 0, 0])
    # +2: p vs p+2
    np.testing.assert_array_equal(affs[2], [1, 0, 0, 0, 0, 0, 0, 0])


def test_2d_affinities_of_three_labels():
    seg = np.array([[1, 1, 2], [1, 3, 2], [0, 3, 3]])
    affs = seg_to_affgraph(seg, [(1, 0), (0, 1)])
    np.testing.assert_array_equal(affs[0], [[1, 0, 1], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(affs[1], [[1, 0, 0], [0, 0, 0], [0, 1, 0]])


def test_background_as_object_connects_background_voxels():
    seg = np.array([1, 1, 2, 2, 0, 0])
    np.testing.assert_array_equal(seg_to_affgraph(seg, [(1,)])[0], [1, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(
        seg_to_affgraph(seg, [(1,)], background_as_object=True)[0], [1, 0, 1, 0, 1, 0]
    )


def test_3d_offsets_longer_than_the_volume_give_zero_affinities():
    seg = np.ones((2, 3, 4), dtype=np.uint64)
    affs = seg_to_affgraph(seg, [(0, 0, 1), (0, 0, 4), (-2, 0, 0)])
    assert affs.shape == (3, 2, 3, 4)
    assert affs[0, :, :, :3].all() and not affs[0, :, :, 3].any()
    assert not affs[1:].any()


@pytest.mark.parametrize("neighborhood", [[], [(1, 0)], [(1,), (1, 0, 0)]])
def test_neighborhood_must_match_the_volume(neighborhood):
    with pytest.raises(ConfigError, match="does not fit a 3D volume"):
        seg_to_affgraph(np.zeros((2, 2, 2)), neighborhood)


def test_padding_is_the_context_on_each_side_in_world_units():
    negative, positive = padding([(1, 0), (0, -2), (3, 0)], (4, 2))
    assert negative == Coordinate(0, 4)
    assert positive == Coordinate(12, 0)


def test_padding_checks_the_neighborhood_against_the_voxel_size():
    with pytest.raises(ConfigError, match="does not fit a 2D volume"):
        padding([(1, 0, 0)], (4, 4))
