"""A gunpowder node computing a predictor's training target and weights."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional

import gunpowder as gp
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray

from ._requests import dependency_spec

if TYPE_CHECKING:
    from dacapo.experiments.tasks.predictors.predictor import Predictor

logger = logging.getLogger(__name__)


class DaCapoTargetFilter(gp.BatchFilter):
    """Provides ``target_key`` and ``weights_key`` computed from ``gt_key`` by ``predictor``.

    For a requested target ROI the ground truth (and mask) is requested over
    ``predictor.gt_region_for_roi``, which may add context::

        target requested:        |=======|
        gt (and mask) read:   |=============|
        target, weights:         |=======|    (cropped back)

    The weights get the moving class counts of the previous batch, so
    predictors can balance classes over many batches. Both outputs are
    interpolatable as the predictor's ``output_array_type`` says. Without a
    ``mask_key`` the predictor gets ``mask=None``.
    """

    def __init__(
        self,
        predictor: "Predictor",
        gt_key: gp.ArrayKey,
        target_key: Optional[gp.ArrayKey] = None,
        weights_key: Optional[gp.ArrayKey] = None,
        mask_key: Optional[gp.ArrayKey] = None,
    ):
        if target_key is None and weights_key is None:
            raise ConfigError(
                "DaCapoTargetFilter: neither target_key nor weights_key given; "
                "pass at least one key to provide"
            )
        self.predictor = predictor
        self.gt_key = gt_key
        self.target_key = target_key
        self.weights_key = weights_key
        self.mask_key = mask_key
        self.moving_counts: Any = None

    def setup(self):
        self.enable_autoskip()
        gt_spec = self.spec[self.gt_key]
        spec = gp.ArraySpec(
            roi=gt_spec.roi,
            voxel_size=gt_spec.voxel_size,
            interpolatable=self.predictor.output_array_type.interpolatable,
        )
        for key in (self.target_key, self.weights_key):
            if key is not None:
                self.provides(key, spec.copy())

    def _gt_roi(self, request: gp.BatchRequest) -> Roi:
        """The ground-truth ROI the predictor needs for the requested outputs."""
        rois = [request[key].roi for key in self._requested(request)]
        union = rois[0]
        for roi in rois[1:]:
            union = union.union(roi)
        spec = gp.ArraySpec(roi=union, voxel_size=self.spec[self.gt_key].voxel_size)
        needed = self.predictor.gt_region_for_roi(spec)
        return needed if isinstance(needed, Roi) else needed.roi

    def _requested(self, request: gp.BatchRequest):
        return [k for k in (self.target_key, self.weights_key) if k is not None and k in request]

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        self._gt_region = self._gt_roi(request)
        deps = gp.BatchRequest()
        for key in (self.gt_key, self.mask_key):
            if key is not None:
                deps[key] = dependency_spec(request, key, self._gt_region)
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        gt = NumpyArray.from_gp_array(batch[self.gt_key].crop(self._gt_region))
        mask = None
        if self.mask_key is not None:
            mask = NumpyArray.from_gp_array(batch[self.mask_key].crop(self._gt_region))
        target = self.predictor.create_target(gt)
        outputs = gp.Batch()
        if self.target_key is not None and self.target_key in request:
            outputs[self.target_key] = self._cropped(target, request[self.target_key].roi)
        if self.weights_key is not None and self.weights_key in request:
            weight, self.moving_counts = self.predictor.create_weight(
                gt, target, mask, moving_class_counts=self.moving_counts
            )
            outputs[self.weights_key] = self._cropped(weight, request[self.weights_key].roi)
        return outputs

    def _cropped(self, array, roi: Roi) -> gp.Array:
        """``array`` (a DaCapo array) cropped to ``roi`` as a gunpowder array."""
        data = array[roi]
        spec = gp.ArraySpec(
            roi=roi,
            voxel_size=array.voxel_size,
            interpolatable=self.predictor.output_array_type.interpolatable,
            dtype=data.dtype,
        )
        return gp.Array(data, spec)
