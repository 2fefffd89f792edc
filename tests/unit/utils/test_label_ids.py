"""``unique_inverse``: ``np.unique(..., return_inverse=True)`` without a sort."""

import numpy as np
import pytest

from dacapo.utils import label_ids
from dacapo.utils.label_ids import unique_inverse

CASES = {
    "small ids (table)": np.array([[5, 0, 5], [9, 2, 0]], dtype=np.uint64),
    "uint8": np.arange(60, dtype=np.uint8).reshape(3, 4, 5)[:, ::2] % 7,
    "int32 transposed": (np.arange(24, dtype=np.int32).reshape(4, 6) % 5).T,
    "large ids (sort)": np.array([2**40, 3, 2**40, 0], dtype=np.uint64),
    "negative ids (sort)": np.array([-3, 4, 4, -3, 0], dtype=np.int64),
    "bool": np.array([True, False, True]),
    "empty": np.zeros((0, 3), dtype=np.uint64),
}


@pytest.mark.parametrize("labels", CASES.values(), ids=list(CASES))
def test_unique_inverse_is_np_unique_of_the_flattened_labels(labels):
    ids, inverse = unique_inverse(labels)
    expected_ids, expected_inverse = np.unique(labels.ravel(), return_inverse=True)
    assert ids.dtype == expected_ids.dtype
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(inverse, expected_inverse)
    np.testing.assert_array_equal(ids[inverse], labels.ravel())


def test_small_ids_are_counted_in_a_table_not_sorted(monkeypatch):
    def no_sort(*args, **kwargs):
        raise AssertionError("np.unique sorted the labels")

    monkeypatch.setattr(label_ids.np, "unique", no_sort)
    ids, inverse = unique_inverse(np.array([7, 7, 1, 0], dtype=np.uint64))
    np.testing.assert_array_equal(ids, [0, 1, 7])
    np.testing.assert_array_equal(inverse, [2, 2, 1, 0])
