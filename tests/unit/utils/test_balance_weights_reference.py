"""``balance_weights`` gives, bit for bit, the weights and running counts that
its first (straightforward, one flat bin index) implementation gave.

``balance_weights_reference.npz`` holds the inputs and outputs of that
implementation for 16 cases, two chained calls each: every label dtype kind,
1 to 5 classes, no / binary / boolean / all-zero / fractional / mixed masks,
whole-array, per-channel, partial and many (flat-index path) slabs, and
several clip ranges.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from dacapo.utils.balance_weights import balance_weights

_REFERENCE = np.load(Path(__file__).with_name("balance_weights_reference.npz"))
_PARAMS = json.loads(str(_REFERENCE["params"]))


@pytest.mark.parametrize("case", range(len(_PARAMS)))
def test_weights_and_counts_match_the_reference_bit_for_bit(case):
    params = _PARAMS[case]
    num_classes = params["num_classes"]
    counts = None
    for call in range(2):
        key = f"{case}_{call}"
        labels = _REFERENCE[f"labels_{key}"]
        masks = [_REFERENCE[f"mask_{key}_{j}"] for j in range(params["masks"])]
        originals = [m.copy() for m in masks]
        weights, counts = balance_weights(
            labels,
            num_classes,
            masks=masks,
            slab=params["slab"],
            clipmin=params["clipmin"],
            clipmax=params["clipmax"],
            moving_counts=counts,
        )
        expected = _REFERENCE[f"weights_{key}"]
        assert weights.dtype == np.float32 and weights.shape == expected.shape
        np.testing.assert_array_equal(weights.view(np.uint32), expected.view(np.uint32))
        running = [[m[c] for c in range(num_classes)] for m in counts]
        np.testing.assert_array_equal(np.array(running), _REFERENCE[f"counts_{key}"])
        assert all(type(v) is float for m in counts for pair in m.values() for v in pair)
        for mask, original in zip(masks, originals):
            np.testing.assert_array_equal(mask, original)  # inputs left untouched


def test_a_single_mask_is_not_modified_and_weights_do_not_alias_it():
    mask = np.array([1.0, 0.0, 1.0, 1.0], dtype=np.float32)
    weights, _ = balance_weights(np.array([0, 1, 1, 0], dtype=np.uint8), 2, masks=[mask])
    weights[:] = 7
    np.testing.assert_array_equal(mask, [1, 0, 1, 1])
