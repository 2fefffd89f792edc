"""A gunpowder node drawing an elastic deformation that the training device applies."""

from __future__ import annotations

import random
from typing import Dict, Mapping, Sequence, Tuple

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate, Roi

from ._deformation import Deformation, identity_deformation, sample_deformation
from ._draw_entry import DrawEntry
from .elastic_augment import ElasticAugment, _union

#: source positions are read correctly up to this many standard deviations of
#: the control point displacement; beyond, the crop's edge is read instead
DISPLACEMENT_REACH = 6.0


class ElasticDraw(DrawEntry, ElasticAugment):
    """Draws ``ElasticAugment``'s deformation but leaves the arrays as they are.

    Used when the deformation is applied on the training device: each array
    is requested over its ROI grown by ``growth`` (see ``elastic_growth``),
    so the crop holds every position the deformation reads, and the draw is
    written to ``draw_key`` (a non-spatial float64 array, see
    ``draw_vector``). For the same random state it draws exactly what
    ``ElasticAugment`` would for the ungrown request.

    Args:
        draw_key: Where the draw goes.
        growth: World units each requested array is grown by, per side.
        **kwargs: ``ElasticAugment``'s arguments.
    """

    def __init__(self, draw_key: gp.ArrayKey, growth: Mapping[gp.ArrayKey, Coordinate],
                 **kwargs):
        super().__init__(**kwargs)
        self.draw_key = draw_key
        self.growth = {key: Coordinate(g) for key, g in growth.items()}
        self._draw: np.ndarray = np.zeros(0)

    def skip_node(self, request: gp.BatchRequest) -> bool:
        return False  # a skipped deformation is drawn as "not applied"

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        applied = not random.random() >= self.augmentation_probability  # as skip_node
        total, base = self._total(request)
        if applied:
            self._draw = draw_vector(sample_deformation(
                total, base, self.control_point_spacing, self.displacement_sigma,
                self.rotation_interval, self.uniform_3d_rotation, self.subsample,
            ))
        else:  # zeros as long as a draw: batches stack them
            identity = identity_deformation(total, base, self.control_point_spacing)
            self._draw = np.zeros(draw_vector(identity).size)
        return gp.BatchRequest()

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch(self._draw)

    def _total(self, request: gp.BatchRequest) -> Tuple[Roi, Coordinate]:
        """The region (and finest voxel size) ``ElasticAugment`` would deform
        for the ungrown request."""
        specs = {}
        for key, spec in request.items():
            if spec.roi is None or key not in self.growth:
                continue
            specs[key] = spec.copy()
            specs[key].roi = spec.roi.grow(-self.growth[key], -self.growth[key])
        base = self._finest_voxel_size(specs)
        return _union([s.roi for s in specs.values()]).snap_to_grid(base, mode="grow"), base


def draw_vector(deformation: Deformation) -> np.ndarray:
    """``[1, rotation (row by row), control displacements]`` as float64 (one
    not applied is as many zeros)."""
    return np.concatenate([[1.0], deformation.rotation.ravel(), deformation.control.ravel()])


def deformed_region(rois: Mapping, voxel_sizes: Mapping) -> Tuple[Roi, Coordinate]:
    """The region ``ElasticAugment`` deforms for arrays requested over ``rois``
    (the union, on the grid of the finest voxel size), and that voxel size."""
    base = Coordinate(np.min(np.asarray([tuple(v) for v in voxel_sizes.values()]), axis=0))
    return _union(list(rois.values())).snap_to_grid(base, mode="grow"), base


def elastic_growth(
    rois: Mapping[gp.ArrayKey, Roi],
    voxel_sizes: Mapping[gp.ArrayKey, Coordinate],
    displacement_sigma: Sequence[float],
    rotation_interval: Tuple[float, float],
    uniform_3d: bool,
) -> Dict[gp.ArrayKey, Coordinate]:
    """World units to grow each ROI by (per side, whole voxels of its array) so
    that its crop holds every source position a deformation of ``ElasticAugment``
    reads, and their neighbours: any rotation the settings allow, plus
    displacements up to ``DISPLACEMENT_REACH`` standard deviations."""
    total, base = deformed_region(rois, voxel_sizes)
    centre = np.asarray(total.begin, dtype=np.float64) + np.asarray(total.shape) / 2
    margin = DISPLACEMENT_REACH * np.asarray(displacement_sigma, np.float64) * np.asarray(base)
    growth = {}
    for key, roi in rois.items():
        voxel = np.asarray(voxel_sizes[key], dtype=np.float64)
        corners = _voxel_corners(roi, voxel) - centre
        reach = _rotated_reach(corners, rotation_interval, uniform_3d) + margin
        low = np.asarray(roi.begin) - (centre - reach - voxel / 2)
        high = (centre + reach + voxel / 2) - np.asarray(roi.end)
        steps = np.ceil(np.maximum(np.maximum(low, high), 0) / voxel - 1e-9)
        growth[key] = Coordinate(int(s) * int(v) for s, v in zip(steps, voxel))
    return growth


def _voxel_corners(roi: Roi, voxel: np.ndarray) -> np.ndarray:
    """The corners of the box of ``roi``'s voxel centres, one per row."""
    low = np.asarray(roi.begin, dtype=np.float64) + voxel / 2
    high = np.asarray(roi.end, dtype=np.float64) - voxel / 2
    grids = np.meshgrid(*zip(low, high), indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def _rotated_reach(corners: np.ndarray, interval: Tuple[float, float], uniform: bool):
    """Per axis, the largest ``|R c|`` over the corners ``c`` and the rotations
    ``R`` that ``rotation_matrix`` can draw."""
    dims = corners.shape[1]
    reach = np.abs(corners).max(axis=0)
    if dims < 2:
        return reach
    if uniform and dims == 3:
        return np.full(dims, np.linalg.norm(corners, axis=1).max())
    low, high = (0.0, 2 * np.pi) if uniform else (float(interval[0]), float(interval[1]))
    angles = np.linspace(low, high, 1025)
    # between two sampled angles |R c| rises by at most |c| (1 - cos(step / 2))
    slack = 1.0 - np.cos((high - low) / 1024 / 2)
    y, x = corners[:, -2, None], corners[:, -1, None]
    cos, sin = np.cos(angles), np.sin(angles)
    plane = np.hypot(y, x).max()
    reach[-2] = np.abs(cos * y - sin * x).max() + plane * slack
    reach[-1] = np.abs(sin * y + cos * x).max() + plane * slack
    return reach
