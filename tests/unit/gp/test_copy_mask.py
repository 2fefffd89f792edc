"""CopyMask: an array duplicated under another key, channels optionally dropped."""

import gunpowder as gp
import numpy as np
from funlib.geometry import Roi

from dacapo.gp import CopyMask

MASK, COPY = gp.ArrayKey("MASK"), gp.ArrayKey("MASK_COPY")


def test_copy_equals_the_original(source, fetch):
    mask = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8)
    pipeline = source(MASK, mask) + CopyMask(MASK, COPY)
    batch = fetch(pipeline, {COPY: Roi((0, 1), (2, 2)), MASK: Roi((0, 0), (2, 3))})
    np.testing.assert_array_equal(batch[COPY].data, [[1, 1], [0, 0]])
    np.testing.assert_array_equal(batch[MASK].data, mask)
    batch[COPY].data[:] = 9
    assert batch[MASK].data.max() == 1  # a copy, not a view


def test_drop_channels_takes_the_maximum_over_channels(source, fetch):
    mask = np.array([[[1, 0], [0, 0]], [[0, 0], [0, 1]]], dtype=np.uint8)
    pipeline = source(MASK, mask, voxel_size=(1, 1)) + CopyMask(MASK, COPY, drop_channels=True)
    batch = fetch(pipeline, {COPY: Roi((0, 0), (2, 2))})
    np.testing.assert_array_equal(batch[COPY].data, [[1, 0], [0, 1]])


def test_channels_kept_by_default(source, fetch):
    mask = np.ones((2, 3, 3), dtype=np.uint8)
    pipeline = source(MASK, mask, voxel_size=(1, 1)) + CopyMask(MASK, COPY)
    assert fetch(pipeline, {COPY: Roi((0, 0), (3, 3))})[COPY].data.shape == (2, 3, 3)
