"""DaCapoTargetFilter: a predictor's target and weights inside a gunpowder pipeline."""

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors.dummy_predictor import DummyPredictor
from dacapo.gp import DaCapoTargetFilter

GT, MASK = gp.ArrayKey("GT"), gp.ArrayKey("MASK")
TARGET, WEIGHTS = gp.ArrayKey("TARGET"), gp.ArrayKey("WEIGHTS")
GT_DATA = np.arange(16, dtype=np.uint8).reshape(4, 4)


class _Labels:
    interpolatable = False


class GrowingPredictor:
    """Needs one voxel of GT context per side; target = 10 * gt; counts batches."""

    output_array_type = _Labels()

    def __init__(self):
        self.gt_rois, self.masks, self.counts_seen = [], [], []

    def gt_region_for_roi(self, target_spec):
        spec = target_spec.copy()
        spec.roi = spec.roi.grow(Coordinate(1, 1), Coordinate(1, 1))
        return spec

    def create_target(self, gt):
        self.gt_rois.append(gt.roi)
        return NumpyArray.from_np_array(gt.data * 10, gt.roi, gt.voxel_size, gt.axes)

    def create_weight(self, gt, target, mask, moving_class_counts=None):
        self.masks.append(None if mask is None else mask.data.copy())
        self.counts_seen.append(moving_class_counts)
        weight = np.ones(target.data.shape, dtype=np.float32)
        counts = (moving_class_counts or 0) + 1
        return NumpyArray.from_np_array(weight, target.roi, target.voxel_size, target.axes), counts


def test_dummy_predictor_target_and_weights(source, fetch):
    pipeline = source(GT, GT_DATA, voxel_size=(2, 2))
    pipeline += DaCapoTargetFilter(DummyPredictor(3), GT, TARGET, WEIGHTS)
    roi = Roi((2, 2), (4, 2))
    batch = fetch(pipeline, {TARGET: roi, WEIGHTS: roi})
    np.testing.assert_array_equal(batch[TARGET].data, np.zeros((3, 2, 1)))
    np.testing.assert_array_equal(batch[WEIGHTS].data, np.ones((3, 2, 1)))
    assert batch[TARGET].spec.roi == roi and batch[TARGET].spec.voxel_size == (2, 2)
    assert batch[TARGET].spec.interpolatable is True  # EmbeddingArray


def test_gt_context_is_requested_and_target_cropped_back(source, fetch):
    predictor = GrowingPredictor()
    pipeline = source(GT, GT_DATA) + DaCapoTargetFilter(predictor, GT, target_key=TARGET)
    batch = fetch(pipeline, {TARGET: Roi((1, 1), (2, 2))})
    assert predictor.gt_rois == [Roi((0, 0), (4, 4))]
    np.testing.assert_array_equal(batch[TARGET].data, [[50, 60], [90, 100]])
    assert batch[TARGET].spec.interpolatable is False
    assert predictor.counts_seen == []  # no weights requested, none computed


def test_moving_class_counts_carry_over_between_batches(source):
    predictor = GrowingPredictor()
    pipeline = source(GT, GT_DATA) + DaCapoTargetFilter(predictor, GT, TARGET, WEIGHTS)
    request = gp.BatchRequest()
    request[WEIGHTS] = gp.ArraySpec(roi=Roi((1, 1), (2, 2)))
    with gp.build(pipeline):
        for _ in range(3):
            pipeline.request_batch(request)
    assert predictor.counts_seen == [None, 1, 2]


def test_mask_is_read_over_the_gt_region(source, fetch):
    predictor = GrowingPredictor()
    mask = np.zeros((4, 4), dtype=np.uint8)
    mask[0, 0] = 1
    pipeline = (source(GT, GT_DATA), source(MASK, mask)) + gp.MergeProvider()
    pipeline += DaCapoTargetFilter(predictor, GT, weights_key=WEIGHTS, mask_key=MASK)
    batch = fetch(pipeline, {WEIGHTS: Roi((1, 1), (2, 2)), MASK: Roi((1, 1), (2, 2))})
    np.testing.assert_array_equal(predictor.masks[0], mask)
    np.testing.assert_array_equal(batch[MASK].data, [[0, 0], [0, 0]])
    np.testing.assert_array_equal(batch[WEIGHTS].data, np.ones((2, 2)))


def test_without_mask_key_the_predictor_gets_none(source, fetch):
    predictor = GrowingPredictor()
    pipeline = source(GT, GT_DATA) + DaCapoTargetFilter(predictor, GT, weights_key=WEIGHTS)
    fetch(pipeline, {WEIGHTS: Roi((1, 1), (2, 2))})
    assert predictor.masks == [None]


def test_needs_a_key_to_provide():
    with pytest.raises(ConfigError, match="neither target_key nor weights_key given"):
        DaCapoTargetFilter(DummyPredictor(1), GT)
