"""``DeviceGroundTruth``: ground truth in the compact form the device reads."""

from __future__ import annotations

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.tasks.predictors import DistancePredictor
from dacapo.gp import DeviceGroundTruth

GT = gp.ArrayKey("GT")
ROI = Roi((0, 0, 0), (8, 8, 8))


class _Samples(gp.BatchProvider):
    """Hands out the given ground truths one request after the other."""

    def __init__(self, samples):
        self.samples = list(samples)

    def setup(self):
        self.provides(GT, gp.ArraySpec(roi=ROI, voxel_size=Coordinate(1, 1, 1),
                                       dtype=np.uint64, interpolatable=False))

    def provide(self, request):
        batch = gp.Batch()
        spec = self.spec[GT].copy()
        spec.roi = request[GT].roi
        batch[GT] = gp.Array(self.samples.pop(0), spec)
        return batch


def _ids(count: int) -> np.ndarray:
    """An 8³ sample with ``count`` ids (large, scattered uint64 values) and 0."""
    ids = np.arange(1, 8 ** 3 + 1, dtype=np.uint64) % (count + 1) * 2 ** 40
    return ids.reshape(8, 8, 8)


def _batch(samples) -> gp.Batch:
    pipeline = _Samples(samples) + DeviceGroundTruth(DistancePredictor(["fg"], 10.0, mask_distances=False), GT)
    pipeline += gp.Stack(len(samples))
    request = gp.BatchRequest()
    request[GT] = gp.ArraySpec(roi=ROI)
    with gp.build(pipeline):
        return pipeline.request_batch(request)


def test_ids_are_renumbered_into_one_byte_when_they_fit():
    gt = _batch([_ids(3), _ids(7)])[GT].data
    assert gt.dtype == np.uint8
    assert set(np.unique(gt[0])) == {0, 1, 2, 3} and set(np.unique(gt[1])) == set(range(8))


def test_samples_needing_different_types_stack_in_the_wider_one():
    few, many = _ids(5), _ids(300)  # one byte holds 5 ids, not 300
    gt = _batch([few, many])[GT].data
    assert gt.dtype == np.uint16
    for sample, original in zip(gt, (few, many)):
        # the same partition of the voxels, 0 kept as 0
        assert np.array_equal(sample == 0, original == 0)
        pairs = np.unique(np.stack([sample.ravel(), original.ravel()]), axis=1)
        assert len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]
