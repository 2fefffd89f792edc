"""Product: y = x1 * x2."""

import gunpowder as gp
import numpy as np
from funlib.geometry import Roi

from dacapo.gp import Product

X1, X2, Y = gp.ArrayKey("X1"), gp.ArrayKey("X2"), gp.ArrayKey("Y")


def _pipeline(source, x1, x2, y_key=Y):
    sources = (source(X1, x1, voxel_size=(1, 1)), source(X2, x2, voxel_size=(1, 1)))
    return sources + gp.MergeProvider() + Product(X1, X2, y_key)


def test_voxelwise_product(source, fetch):
    x1 = np.array([[1, 2], [3, 4]], dtype=np.float32)
    x2 = np.array([[0, 1], [2, 3]], dtype=np.float32)
    batch = fetch(_pipeline(source, x1, x2), {Y: Roi((0, 0), (2, 2))})
    np.testing.assert_array_equal(batch[Y].data, [[0, 2], [6, 12]])
    assert batch[Y].data.dtype == np.float32
    assert X1 not in batch  # only what was requested comes back


def test_product_over_a_sub_roi(source, fetch):
    x1 = np.arange(9, dtype=np.float32).reshape(3, 3)
    x2 = np.full((3, 3), 2, dtype=np.float32)
    batch = fetch(_pipeline(source, x1, x2), {Y: Roi((1, 1), (2, 1)), X1: Roi((0, 0), (3, 3))})
    np.testing.assert_array_equal(batch[Y].data, [[8], [14]])
    np.testing.assert_array_equal(batch[X1].data, x1)


def test_channels_broadcast_against_a_mask(source, fetch):
    weights = np.stack([np.ones((2, 2)), np.full((2, 2), 3.0)]).astype(np.float32)
    mask = np.array([[1, 0], [0, 1]], dtype=np.uint8)
    batch = fetch(_pipeline(source, weights, mask), {Y: Roi((0, 0), (2, 2))})
    np.testing.assert_array_equal(batch[Y].data, [[[1, 0], [0, 1]], [[3, 0], [0, 3]]])


def test_output_may_replace_an_input(source, fetch):
    x1 = np.array([[1, 2]], dtype=np.float32)
    x2 = np.array([[5, 5]], dtype=np.float32)
    batch = fetch(_pipeline(source, x1, x2, y_key=X1), {X1: Roi((0, 0), (1, 2))})
    np.testing.assert_array_equal(batch[X1].data, [[5, 10]])
