"""RejectIfEmpty: re-requests batches whose ground truth is all background."""

import logging

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError, DacapoError
from dacapo.gp import RejectIfEmpty

GT, MASK = gp.ArrayKey("GT"), gp.ArrayKey("MASK")
WINDOW = Roi((0, 0), (2, 2))


def _corner_labels(background, label):
    """10x10 of ``background`` with ``label`` only in the 2x2 bottom-right corner."""
    gt = np.full((10, 10), background, dtype=np.uint8)
    gt[8:, 8:] = label
    return gt


def _windows(source, gt, reject, count=15):
    pipeline = source(GT, gt) + gp.RandomLocation() + reject
    request = gp.BatchRequest()
    request[GT] = gp.ArraySpec(roi=WINDOW)
    with gp.build(pipeline):
        return [pipeline.request_batch(request)[GT].data for _ in range(count)]


def test_p_one_returns_only_batches_with_foreground(source):
    windows = _windows(source, _corner_labels(0, 3), RejectIfEmpty(GT, p=1.0))
    assert all((window == 3).any() for window in windows)


def test_background_value_is_honoured(source):
    # background 5, foreground 0: a background-0 check would accept all-5 windows
    windows = _windows(source, _corner_labels(5, 0), RejectIfEmpty(GT, p=1.0, background=5))
    assert all((window == 0).any() for window in windows)


def test_p_zero_rejects_nothing(source):
    windows = _windows(source, _corner_labels(0, 3), RejectIfEmpty(GT, p=0.0), count=30)
    assert any((window == 0).all() for window in windows)


def test_labels_outside_the_mask_do_not_count(source, caplog):
    gt = np.array([[0, 7], [0, 0]], dtype=np.uint8)
    mask = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    pipeline = (source(GT, gt), source(MASK, mask)) + gp.MergeProvider()
    pipeline += RejectIfEmpty(GT, MASK, p=1.0, timeout=0.05)
    request = gp.BatchRequest()
    request[GT] = gp.ArraySpec(roi=WINDOW)
    request[MASK] = gp.ArraySpec(roi=WINDOW)
    with caplog.at_level(logging.WARNING), gp.build(pipeline):
        batch = pipeline.request_batch(request)
    # the only label is masked out, so every try is empty; after the timeout
    # the last one is accepted with a warning
    np.testing.assert_array_equal(batch[GT].data, gt)
    assert "accepting an empty one" in caplog.text


def test_labels_inside_the_mask_count(source, fetch):
    gt = np.array([[0, 7], [0, 0]], dtype=np.uint8)
    mask = np.array([[0, 1], [0, 0]], dtype=np.uint8)
    pipeline = (source(GT, gt), source(MASK, mask)) + gp.MergeProvider()
    pipeline += RejectIfEmpty(GT, MASK, p=1.0, timeout=60)
    batch = fetch(pipeline, {GT: WINDOW, MASK: WINDOW})
    np.testing.assert_array_equal(batch[GT].data, gt)


def test_probability_outside_unit_interval_is_refused():
    with pytest.raises(
        ConfigError,
        match=r"RejectIfEmpty: `p` must be a number in \[0, 1\], got 1.5",
    ):
        RejectIfEmpty(GT, p=1.5)


def test_gt_not_provided_upstream_is_refused(source):
    pipeline = source(MASK, np.ones((2, 2), dtype=np.uint8)) + RejectIfEmpty(GT, p=1.0)
    with pytest.raises(gp.PipelineSetupError) as raised, gp.build(pipeline):
        pass
    assert isinstance(raised.value.__cause__, DacapoError)
    assert "GT is not provided upstream" in str(raised.value.__cause__)


def test_gt_missing_from_the_request_is_refused(source, fetch):
    pipeline = (source(GT, np.ones((2, 2), dtype=np.uint8)), source(MASK, np.ones((2, 2))))
    pipeline = pipeline + gp.MergeProvider() + RejectIfEmpty(GT, p=1.0)
    with pytest.raises(gp.PipelineRequestError, match="the request must contain GT"):
        fetch(pipeline, {MASK: WINDOW})
