"""ElasticAugment gives, for a given seed, the very output it gave before its
speed-ups (coordinates shared by arrays of one ROI, nearest-neighbour indices
shared by arrays of one source ROI): raw, labels and mask of a 3D batch,
bit for bit, against a reference saved with the earlier code.

Regenerate (only after a deliberate change of the augment's math) with
``python tests/unit/gp/test_elastic_reference.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.gp import DaCapoArraySource, ElasticAugment

REFERENCE = Path(__file__).with_name("elastic_reference.npz")
RAW, RAW8, LABELS, MASK, COARSE = (
    gp.ArrayKey(name) for name in ("REF_RAW", "REF_RAW8", "REF_LABELS", "REF_MASK", "REF_COARSE")
)
SEEDS = (0, 1, 2)


def _source(key, data, voxel_size, interpolatable=None):
    voxel_size = Coordinate(voxel_size)
    roi = Roi((0, 0, 0), Coordinate(data.shape) * voxel_size)
    array = NumpyArray.from_np_array(data, roi, voxel_size, ["z", "y", "x"])
    return DaCapoArraySource(array, key, interpolatable=interpolatable) + gp.Pad(key, None)


def _pipeline():
    rng = np.random.default_rng(7)
    shape = (20, 24, 24)
    raw = rng.random(shape, dtype=np.float32)
    labels = (np.arange(np.prod(shape)).reshape(shape) // 53 % 9).astype(np.uint64)
    sources = (
        _source(RAW, raw, (2, 1, 1)),
        _source(RAW8, (raw * 255).astype(np.uint8), (2, 1, 1), interpolatable=True),
        _source(LABELS, labels, (2, 1, 1)),
        _source(MASK, (labels % 3 != 0).astype(np.uint8), (2, 1, 1)),
        _source(COARSE, labels[::2, ::2, ::2].copy(), (4, 2, 2)),
    )
    augment = ElasticAugment([3, 4, 4], [1.0, 1.5, 1.5], (0.0, math.pi / 2))
    return sources + gp.MergeProvider() + augment


def _batch(seed: int) -> Dict[str, np.ndarray]:
    pipeline = _pipeline()
    request = gp.BatchRequest(random_seed=seed)
    request[RAW] = gp.ArraySpec(roi=Roi((8, 4, 4), (20, 16, 16)))
    request[RAW8] = gp.ArraySpec(roi=Roi((8, 4, 4), (20, 16, 16)))
    request[LABELS] = gp.ArraySpec(roi=Roi((10, 6, 6), (16, 12, 12)))
    request[MASK] = gp.ArraySpec(roi=Roi((10, 6, 6), (16, 12, 12)))
    request[COARSE] = gp.ArraySpec(roi=Roi((8, 4, 4), (16, 12, 12)))
    with gp.build(pipeline):
        batch = pipeline.request_batch(request)
    return {
        f"{seed}_{key.identifier}": batch[key].data for key in (RAW, RAW8, LABELS, MASK, COARSE)
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_augment_output_equals_the_saved_reference(seed):
    reference = np.load(REFERENCE)
    for name, data in _batch(seed).items():
        expected = reference[name]
        assert data.dtype == expected.dtype, name
        np.testing.assert_array_equal(data, expected, err_msg=name)


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_of_a_data_worker_give_the_same_output(threads, monkeypatch):
    # a data worker on a machine with spare cores resamples in slabs over threads
    from dacapo.utils import array_threads

    pools = []
    make_pool = array_threads._thread_pool
    monkeypatch.setattr(array_threads, "_thread_pool", lambda n: pools.append(n) or make_pool(n))
    array_threads.set_array_threads(threads)
    try:
        batch = _batch(1)
    finally:
        array_threads.set_array_threads(1)
    assert pools, "the resampling was not split over threads"
    reference = np.load(REFERENCE)
    for name, data in batch.items():
        np.testing.assert_array_equal(data, reference[name], err_msg=name)


def test_reference_deforms_and_keeps_label_values():
    # the reference is not trivially the undeformed crop
    reference = np.load(REFERENCE)
    labels = reference["0_REF_LABELS"]
    assert labels.shape == (8, 12, 12)
    assert set(np.unique(labels)) <= set(range(9))
    assert not np.array_equal(reference["0_REF_LABELS"], reference["1_REF_LABELS"])


if __name__ == "__main__":
    arrays: Dict[str, np.ndarray] = {}
    for seed in SEEDS:
        arrays.update(_batch(seed))
    np.savez_compressed(REFERENCE, **arrays)
