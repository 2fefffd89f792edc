"""A gunpowder node re-requesting batches whose ground truth is empty."""

from __future__ import annotations

import logging
import random
import time
from typing import Optional

import gunpowder as gp
import numpy as np

from dacapo._checks import check_fraction
from dacapo.errors import DacapoError

logger = logging.getLogger(__name__)


class RejectIfEmpty(gp.BatchFilter):
    """With probability ``p``, re-requests batches until ``gt`` is not all ``background``.

    Each request draws once whether it must be non-empty; if so, batches
    whose ``gt`` equals ``background`` everywhere (everywhere inside ``mask``,
    when given) are discarded and requested again. Place it downstream of
    ``RandomLocation`` so that each new request lands elsewhere. After
    ``timeout`` seconds without a non-empty batch the last batch is accepted
    with a warning, so that a dataset without foreground cannot stall training.
    """

    def __init__(
        self,
        gt: gp.ArrayKey,
        mask: Optional[gp.ArrayKey] = None,
        p: float = 0.5,
        background: int = 0,
        timeout: float = 20.0,
    ):
        check_fraction("RejectIfEmpty", "p", p)
        self.gt = gt
        self.mask = mask
        self.p = p
        self.background = background
        self.timeout = timeout

    def setup(self):
        for key in (self.gt, self.mask):
            if key is not None and key not in self.spec:
                raise DacapoError(
                    f"RejectIfEmpty: {key} is not provided upstream (upstream provides "
                    f"{sorted(str(k) for k, _ in self.spec.items())}); add a source for it"
                )

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        for key in (self.gt, self.mask):
            if key is not None and key not in request:
                raise DacapoError(
                    f"RejectIfEmpty: the request must contain {key} to judge emptiness; "
                    f"it holds {sorted(str(k) for k, _ in request.items())}"
                )
        upstream = self.get_upstream_provider()
        must_have_foreground = random.random() < self.p
        start, rejected, next_report = time.monotonic(), 0, 5.0
        while True:
            batch = upstream.request_batch(request.copy())
            if not must_have_foreground or not self._is_empty(batch):
                return batch
            rejected += 1
            waited = time.monotonic() - start
            if waited > self.timeout:
                logger.warning(
                    "RejectIfEmpty: no batch with %s other than background %s after %d "
                    "tries in %.0fs; accepting an empty one",
                    self.gt, self.background, rejected, waited,
                )
                return batch
            if waited > next_report:
                logger.info("RejectIfEmpty: rejected %d empty batches so far", rejected)
                next_report *= 2

    def _is_empty(self, batch: gp.Batch) -> bool:
        gt = batch[self.gt]
        if self.mask is None:
            return bool(np.all(gt.data == self.background))
        mask = batch[self.mask]
        roi = gt.spec.roi.intersect(mask.spec.roi)
        gt_data = gt.crop(roi).data
        labelled = mask.crop(roi).data.astype(bool)
        while labelled.ndim > gt_data.ndim:  # a channel of the mask labels its voxel
            labelled = labelled.any(axis=0)
        labelled = np.broadcast_to(labelled, gt_data.shape)
        return bool(np.all(gt_data[labelled] == self.background))
