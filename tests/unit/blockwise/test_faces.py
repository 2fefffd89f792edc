"""Unique ids per block, block faces, pairs across faces and the union-find."""

import numpy as np
import pytest

from dacapo.blockwise._faces import (
    apply_lut,
    components_lut,
    face_pairs,
    face_planes,
    save_faces,
)
from dacapo.utils.label_ids import unique_ids


def test_unique_ids_renumber_from_the_offset_and_keep_background():
    labels = np.array([[0, 7, 7], [3, 0, 9]])
    ids = unique_ids(labels, offset=100)
    assert ids.dtype == np.uint64
    np.testing.assert_array_equal(ids, [[0, 102, 102], [101, 0, 103]])
    np.testing.assert_array_equal(unique_ids(np.array([5, 6]), offset=10), [11, 12])


def test_face_planes_say_where_the_block_sees_the_same_object_across_its_faces():
    # read region of a 2D block; the write region is rows 0-1, columns 1-2
    labels = np.array([[1, 1, 2, 2],
                       [1, 1, 2, 2],
                       [0, 3, 3, 3]])
    slices = (slice(0, 2), slice(1, 3))
    written = unique_ids(labels[slices], 100)  # [[101, 102], [101, 102]]
    faces = face_planes(labels, written, slices)
    # row 0 has no row above it in the read region: touching is enough
    np.testing.assert_array_equal(faces["lo_ids_0"], [101, 102])
    np.testing.assert_array_equal(faces["lo_same_0"], [True, True])
    # row 1 (1, 2) against row 2 (3, 3): other objects
    np.testing.assert_array_equal(faces["hi_same_0"], [False, False])
    # column 1 (1, 1) against column 0 (1, 1); column 2 (2, 2) against column 3 (2, 2)
    np.testing.assert_array_equal(faces["lo_same_1"], [True, True])
    np.testing.assert_array_equal(faces["hi_ids_1"], [102, 102])
    np.testing.assert_array_equal(faces["hi_same_1"], [True, True])


def test_components_lut_maps_each_id_to_the_smallest_of_its_component():
    pairs = np.array([[5, 7], [7, 9], [20, 30], [1, 5]], dtype=np.uint64)
    old, new = components_lut(pairs)
    np.testing.assert_array_equal(old, [5, 7, 9, 30])
    np.testing.assert_array_equal(new, [1, 1, 1, 20])
    empty_old, empty_new = components_lut(np.empty((0, 2), dtype=np.uint64))
    assert len(empty_old) == len(empty_new) == 0


def test_apply_lut_replaces_only_the_listed_ids():
    old, new = np.array([5, 9], dtype=np.uint64), np.array([1, 1], dtype=np.uint64)
    labels = np.array([[5, 9, 2], [0, 0, 5]], dtype=np.uint64)
    np.testing.assert_array_equal(apply_lut(labels, old, new), [[1, 1, 2], [0, 0, 1]])
    assert apply_lut(np.array([2, 3], dtype=np.uint64), old, new) is None
    assert apply_lut(labels, old[:0], new[:0]) is None
    # applying it twice changes nothing more
    once = apply_lut(labels, old, new)
    assert apply_lut(once, old, new) is None


@pytest.mark.parametrize(
    "lower_row, upper_row, merged",
    [
        # both blocks see object 1 crossing the face: one object
        ([1, 1], [1, 1], True),
        # the objects only touch: block A sees 1 | 2 across the face
        ([1, 2], [1, 2], False),
    ],
)
def test_face_pairs_join_objects_both_blocks_see_crossing(tmp_path, lower_row, upper_row, merged):
    # 1D blocks [0, 2) and [2, 4) with one voxel of context each
    # A reads [0, 3): labels over voxels 0, 1, 2; B reads [1, 4): voxels 1, 2, 3
    a_labels = np.array([1, lower_row[0], lower_row[1]])
    b_labels = np.array([upper_row[0], upper_row[1], 7])
    a_written = unique_ids(a_labels[0:2], 0)
    b_written = unique_ids(b_labels[1:3], 10)
    save_faces(tmp_path, [0], [2], face_planes(a_labels, a_written, (slice(0, 2),)))
    save_faces(tmp_path, [2], [4], face_planes(b_labels, b_written, (slice(1, 3),)))
    pairs = face_pairs(tmp_path)
    assert (len(pairs) == 1) == merged
    if merged:
        np.testing.assert_array_equal(pairs, [[a_written[1], b_written[0]]])
