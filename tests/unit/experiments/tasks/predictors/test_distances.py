import numpy as np
import pytest

from dacapo.experiments.tasks.predictors._distances import (
    SATURATION,
    boundary_distances,
    distance_mask,
    normalised,
    saturation_distance,
    signed_distances,
    unseen_distances,
)

DIAGONAL = np.sqrt(0.5**2 + 1.0**2)  # voxel centre (0, 0) to the face centre (0.5, 1)


def _single_voxel():
    labels = np.zeros((3, 3), dtype=np.uint8)
    labels[1, 1] = 1
    return labels


def test_signed_distances_of_a_single_voxel():
    expected = np.array(
        [
            [-DIAGONAL, -0.5, -DIAGONAL],
            [-0.5, 0.5, -0.5],
            [-DIAGONAL, -0.5, -DIAGONAL],
        ]
    )
    np.testing.assert_allclose(signed_distances(_single_voxel(), (1, 1)), expected, rtol=1e-6)


def test_signed_distances_honour_an_anisotropic_voxel_size():
    # voxel size (2, 1): faces along axis 0 are 1 world unit from the centre
    distances = signed_distances(_single_voxel(), (2, 1))
    assert distances[1, 1] == pytest.approx(0.5)
    assert distances[0, 1] == pytest.approx(-1.0)
    assert distances[1, 0] == pytest.approx(-0.5)
    assert distances[0, 0] == pytest.approx(-np.sqrt(2.0))


def test_boundaries_between_two_objects_count():
    labels = np.array([1, 1, 2, 2])
    np.testing.assert_allclose(boundary_distances(labels, (1,)), [1.5, 0.5, 0.5, 1.5])


def test_an_empty_patch_has_no_boundary():
    distances = signed_distances(np.zeros((4, 5), dtype=np.uint8), (1, 1))
    assert np.all(np.isneginf(distances))
    np.testing.assert_array_equal(normalised(distances, 3.0), -np.ones((4, 5)))
    full = signed_distances(np.ones((2, 2), dtype=np.uint8), (1, 1))
    assert np.all(np.isposinf(full))


def test_unseen_distances_measure_to_the_border_and_unknown_voxels():
    known = np.ones((5, 5))
    known[0, 0] = 0
    distances = unseen_distances(known, (1, 1))
    assert distances[0, 0] == 0
    assert distances[2, 2] == pytest.approx(2.5)  # to the array border
    assert distances[0, 1] == pytest.approx(0.5)
    assert distances[1, 1] == pytest.approx(DIAGONAL)  # to the unknown voxel's face


def test_distance_mask_keeps_exact_and_saturated_distances():
    scale = 1.0
    target = normalised(np.array([0.5, 2.0, 2.0, 10.0]), scale)
    unseen = np.array([1.0, 1.0, 3.0, 2.0])
    # exact (0.5 <= 1); maybe shorter (2 > 1); exact (2 <= 3); saturated bound (tanh 2 >= 0.95)
    np.testing.assert_array_equal(distance_mask(target, unseen, scale), [1, 0, 1, 1])
    assert np.tanh(saturation_distance(scale)) == pytest.approx(SATURATION)
