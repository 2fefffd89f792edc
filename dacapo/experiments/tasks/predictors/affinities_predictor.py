"""Predicts affinities (and optionally local shape descriptors) of instance labels."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import torch
from funlib.geometry import Coordinate
from scipy import ndimage

from dacapo._checks import check_clip, check_int, check_neighborhood
from dacapo.errors import ConfigError
from dacapo.experiments.arraytypes.embedding import EmbeddingArray
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.model import Model
from dacapo.utils.affinities import padding as neighborhood_padding
from dacapo.utils.affinities import seg_to_affgraph
from dacapo.utils.balance_weights import balance_weights

from ._common import (
    grow_spec,
    make_head,
    mask_over,
    moving_slice,
    single_labels,
    spatial_axes,
    wrap,
)
from .predictor import Predictor

#: number of local shape descriptor channels per spatial dimensionality
LSD_CHANNELS = {2: 6, 3: 10}


class AffinitiesPredictor(Predictor):
    """Predicts one affinity channel per offset of ``neighborhood`` (1 where a
    voxel and its neighbour at that offset carry the same non-zero label),
    followed, with ``lsds``, by the local shape descriptors of the labels
    (6 channels in 2D, 10 in 3D; Gaussian sigma ``num_voxels`` times the
    largest voxel size).

    Weights: per affinity channel, connected and cut edges are balanced (class
    fractions clipped to ``affs_weight_clip*``); an edge counts only when both
    of its voxels are in the mask. LSD channels share one weight that balances
    object and background voxels (``lsd_weight_clip*``). The model outputs
    logits; in eval mode a sigmoid maps every channel to [0, 1].

    Args:
        neighborhood: Offsets in voxels, e.g. ``[(1, 0, 0), (0, 1, 0), (0, 0, 1)]``.
        downsample_lsds: LSDs are computed at this coarser resolution and upsampled.
        grow_boundary_iterations: Before computing the target, object voxels
            within this many steps (face neighbours) of a different label
            become background, widening the gaps between touching objects.
        background_as_object: Treat the background as one more object, so
            that edges between two background voxels are connected too.
    """

    gt_labels = "instance ids (0 = background)"

    def __init__(
        self,
        neighborhood: Sequence[Coordinate],
        lsds: bool = True,
        num_voxels: int = 20,
        downsample_lsds: int = 1,
        grow_boundary_iterations: int = 0,
        affs_weight_clipmin: float = 0.05,
        affs_weight_clipmax: float = 0.95,
        lsd_weight_clipmin: float = 0.05,
        lsd_weight_clipmax: float = 0.95,
        background_as_object: bool = False,
    ):
        owner = type(self).__name__
        offsets = check_neighborhood(owner, "neighborhood", neighborhood)
        self.neighborhood = [Coordinate(o) for o in offsets]
        self.lsds = bool(lsds)
        self.num_voxels = check_int(owner, "num_voxels", num_voxels, 1)
        self.downsample_lsds = check_int(owner, "downsample_lsds", downsample_lsds, 1)
        self.grow_boundary_iterations = check_int(
            owner, "grow_boundary_iterations", grow_boundary_iterations, 0
        )
        check_clip(
            owner,
            ("affs_weight_clipmin", "affs_weight_clipmax"),
            (affs_weight_clipmin, affs_weight_clipmax),
        )
        check_clip(
            owner,
            ("lsd_weight_clipmin", "lsd_weight_clipmax"),
            (lsd_weight_clipmin, lsd_weight_clipmax),
        )
        self.affs_weight_clipmin, self.affs_weight_clipmax = (
            affs_weight_clipmin,
            affs_weight_clipmax,
        )
        self.lsd_weight_clipmin, self.lsd_weight_clipmax = lsd_weight_clipmin, lsd_weight_clipmax
        self.background_as_object = bool(background_as_object)

    @property
    def dims(self) -> int:
        """Spatial dimensionality of the offsets."""
        return self.neighborhood[0].dims

    @property
    def num_lsds(self) -> int:
        """Number of LSD channels (0 without LSDs)."""
        return LSD_CHANNELS[self.dims] if self.lsds else 0

    @property
    def num_channels(self) -> int:
        """Affinity channels plus LSD channels."""
        return len(self.neighborhood) + self.num_lsds

    @property
    def output_channels(self) -> List[str]:
        """``aff_<offset>`` per offset (e.g. ``aff_1.0.0``), then ``lsd_<i>``."""
        affs = ["aff_" + ".".join(str(v) for v in offset) for offset in self.neighborhood]
        return affs + [f"lsd_{i}" for i in range(self.num_lsds)]

    def create_model(self, architecture) -> Model:
        """The architecture, a 1x1 convolution to every affinity and LSD
        channel, and a sigmoid in eval mode."""
        head = make_head(architecture, self.num_channels)
        return Model(architecture, head, eval_activation=torch.nn.Sigmoid())

    def create_target(self, gt: Array) -> Array:
        """float32 affinities (then LSDs) over ``gt.roi``."""
        labels = self._labels(gt, gt.roi)
        target = seg_to_affgraph(labels, self.neighborhood, self.background_as_object)
        target = target.astype(np.float32)
        if self.lsds:
            target = np.concatenate([target, self._lsds(labels, gt.voxel_size)])
        return wrap(target, gt.roi, gt.voxel_size, ["c"] + spatial_axes(gt))

    def _labels(self, gt: Array, roi) -> np.ndarray:
        labels = single_labels(gt, roi, type(self).__name__)
        if labels.ndim != self.dims:
            raise ConfigError(
                f"AffinitiesPredictor: ground truth {gt.name!r} is {labels.ndim}D but the "
                f"neighborhood {[tuple(o) for o in self.neighborhood]} is {self.dims}D"
            )
        return grow_boundary(labels, self.grow_boundary_iterations)

    def _lsds(self, labels: np.ndarray, voxel_size: Coordinate) -> np.ndarray:
        from lsd.train.local_shape_descriptor import get_local_shape_descriptors

        sigma = (float(max(voxel_size) * self.num_voxels),) * self.dims
        factor = self.downsample_lsds
        padded = np.pad(labels, [(0, -n % factor) for n in labels.shape], mode="edge").astype(
            np.uint64
        )
        descriptors = get_local_shape_descriptors(
            padded, sigma, voxel_size=tuple(voxel_size), downsample=factor
        )
        crop = (slice(None),) + tuple(slice(0, n) for n in labels.shape)
        return np.ascontiguousarray(descriptors[crop], dtype=np.float32)

    def create_weight(
        self, gt: Array, target: Array, mask: Optional[Array], moving_class_counts: Any = None
    ):
        """Balanced float32 weights over ``target.roi`` and the updated counts
        (one entry per affinity channel, then one for the LSDs)."""
        roi, n = target.roi, len(self.neighborhood)
        voxel_mask = mask_over(mask, roi, target.voxel_size, 1)[0]
        edge_mask = seg_to_affgraph((voxel_mask != 0).astype(np.uint8), self.neighborhood)
        affs = target[roi][:n].astype(np.uint8)
        weights, aff_counts = balance_weights(
            affs,
            2,
            masks=[edge_mask],
            slab=(1,) + (-1,) * self.dims,
            clipmin=self.affs_weight_clipmin,
            clipmax=self.affs_weight_clipmax,
            moving_counts=moving_slice(moving_class_counts, 0, n),
        )
        counts = aff_counts
        if self.lsds:
            lsd_weights, lsd_counts = self._lsd_weights(gt, roi, voxel_mask, moving_class_counts)
            weights = np.concatenate([weights, lsd_weights])
            counts = aff_counts + lsd_counts
        return wrap(weights, roi, target.voxel_size, list(target.axes)), counts

    def _lsd_weights(self, gt: Array, roi, voxel_mask: np.ndarray, moving_class_counts: Any):
        foreground = (self._labels(gt, roi) != 0).astype(np.uint8)
        weights, counts = balance_weights(
            foreground,
            2,
            masks=[voxel_mask],
            clipmin=self.lsd_weight_clipmin,
            clipmax=self.lsd_weight_clipmax,
            moving_counts=moving_slice(moving_class_counts, len(self.neighborhood), None),
        )
        return np.broadcast_to(weights, (self.num_lsds,) + weights.shape), counts

    @property
    def output_array_type(self) -> EmbeddingArray:
        """``EmbeddingArray`` with one dimension per output channel."""
        return EmbeddingArray(self.num_channels)

    def padding(self, gt_voxel_size: Coordinate) -> Coordinate:
        """Ground truth needed per side (world units): the neighbourhood's reach."""
        negative, positive = neighborhood_padding(self.neighborhood, gt_voxel_size)
        return Coordinate(max(a, b) for a, b in zip(negative, positive, strict=True))

    def gt_region_for_roi(self, target_spec):
        """``target_spec`` grown by ``padding`` on every side, so that the
        affinities at its faces see their neighbours. LSDs are computed from
        this region as it is (no further context for the Gaussian)."""
        voxel_size = getattr(target_spec, "voxel_size", None)
        if voxel_size is None:
            raise ConfigError(
                f"AffinitiesPredictor.gt_region_for_roi: {target_spec!r} has no voxel size; "
                "pass a gunpowder ArraySpec with roi and voxel_size, since the "
                "neighborhood offsets are in voxels"
            )
        return grow_spec(target_spec, *neighborhood_padding(self.neighborhood, voxel_size))


def grow_boundary(labels: np.ndarray, steps: int) -> np.ndarray:
    """``labels`` with object voxels within ``steps`` face-neighbour steps of a
    different label set to background (0); the array border does not count."""
    if steps <= 0:
        return labels
    differs = np.zeros(labels.shape, dtype=bool)
    for axis in range(labels.ndim):
        lower = tuple(slice(None, -1) if a == axis else slice(None) for a in range(labels.ndim))
        upper = tuple(slice(1, None) if a == axis else slice(None) for a in range(labels.ndim))
        edge = labels[lower] != labels[upper]
        differs[lower] |= edge
        differs[upper] |= edge
    if steps > 1:
        differs = ndimage.binary_dilation(differs, iterations=steps - 1)
    return np.where(differs & (labels != 0), 0, labels)
