"""The elastic augment (and mirrors and transposes after it) on the training device."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.gp._deformation import Deformation, identity_deformation
from dacapo.gp.elastic_draw import deformed_region

from ._device_followers import apply_follower
from ._device_resample import Grid, linear, nearest, nearest_flat, source_indices

Tensors = Dict[str, torch.Tensor]
#: the arrays a batch carries, resampled linearly (raw) or by nearest neighbour
ARRAY_NAMES = ("raw", "gt", "mask")


class DeviceAugments:
    """Turns a batch of grown, undeformed crops into augmented samples on the
    training device: the elastic deformation the data workers drew
    (``ElasticDraw``, batch entry ``elastic_draw``), then each augment after
    it, in order (``_device_followers``: mirrors and transposes, intensity
    scale and shift, gamma, noise, a fixed scale and shift), with the draws
    the workers made for them (``SimpleDraw``, ``IntensityDraw``,
    ``GammaDraw``, ``NoiseDraw``, ``ScaleShiftDraw``).
    Raw is interpolated linearly; ground truth and mask by nearest
    neighbour (linearly when they are floats, as on the CPU). With
    ``raw_range`` ``(min, max)`` the batches carry raw as stored (e.g. a byte
    a voxel) and it is normalised here, after the interpolation, to ``(raw -
    min) / (max - min)`` (what ``IntensitiesArray`` gives, and an affine map
    commutes with linear interpolation).

    The result is what the augments' own nodes make from the same draws in the
    data workers, up to the rounding of linear interpolation (float32 here,
    float64 there), rare ties of nearest neighbour, and float32 arithmetic
    where a node computes in float64.

    Args:
        elastic: The ``ElasticAugmentConfig`` whose draws the batches carry.
        followers: The augments after it, each with the batch entry of its draws.
        rois: Each array's requested (output) ROI, by name.
        growth: World units each crop is grown by per side (``elastic_growth``).
        voxel_sizes: Each array's voxel size.
    """

    def __init__(self, elastic, followers: Sequence[Tuple[Any, str]],
                 rois: Mapping[str, Roi], growth: Mapping[str, Coordinate],
                 voxel_sizes: Mapping[str, Coordinate]):
        self.followers = list(followers)
        self.rois = dict(rois)
        self.growth = {name: Coordinate(g) for name, g in growth.items()}
        self.voxel_sizes = {name: Coordinate(v) for name, v in voxel_sizes.items()}
        self._reference = _reference_deformation(elastic, self.rois, self.voxel_sizes)
        self._grids: Dict[Tuple[str, torch.device], Grid] = {}
        #: raw's normalisation, applied here (None: raw comes normalised)
        self.raw_range: Optional[Tuple[float, float]] = None

    def grown_rois(self) -> Dict[str, Roi]:
        """The ROIs the data workers read (and the batches carry), by name."""
        return {name: roi.grow(self.growth[name], self.growth[name])
                for name, roi in self.rois.items()}

    def __call__(self, tensors: Tensors) -> Tensors:
        out = dict(tensors)
        draw = tensors["elastic_draw"].cpu()  # on the host already: no synchronisation
        applied = draw[:, 0] > 0
        rotation, control = self._unpacked(draw)
        device = tensors["raw"].device
        rotation = rotation.to(device, non_blocking=True)
        control = control.to(device, non_blocking=True)
        shared: Dict[Tuple, torch.Tensor] = {}  # arrays on one grid (gt, mask) share indices
        for name in ARRAY_NAMES:
            if name in tensors:
                out[name] = self._deformed(name, tensors[name], rotation, control, applied,
                                           shared)
        if self.raw_range is not None:
            low, high = self.raw_range
            out["raw"] = out["raw"].float().sub_(low).div_(high - low)  # as IntensitiesArray
        dims = self.rois["raw"].dims
        for augment, entry in self.followers:
            apply_follower(augment, out, out.pop(entry).cpu(), dims)
        out.pop("elastic_draw", None)
        return out

    def _unpacked(self, draw: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Rotations and control displacements of a batch's draws (identity and
        zeros where none was applied)."""
        dims = self._reference.dims
        shape = self._reference.control.shape
        rotation = torch.eye(dims, dtype=torch.float64, device=draw.device).repeat(
            draw.shape[0], 1, 1)
        control = torch.zeros((draw.shape[0],) + shape, dtype=torch.float64,
                              device=draw.device)
        applied = draw[:, 0] > 0
        if bool(applied.any()):
            values = draw[applied].to(torch.float64)
            rotation[applied] = values[:, 1 : 1 + dims * dims].reshape(-1, dims, dims)
            control[applied] = values[:, 1 + dims * dims :].reshape((-1,) + shape)
        return rotation, control

    def _deformed(self, name, crops, rotation, control, applied, shared) -> torch.Tensor:
        dims = self.rois[name].dims
        leading = crops.shape[1 : crops.dim() - dims]
        grid = self._grid(name, crops.device)
        batched = crops.reshape((crops.shape[0], -1) + tuple(crops.shape[crops.dim() - dims :]))
        roi = self.rois[name]
        place = (tuple(roi.begin), tuple(roi.shape), self.voxel_sizes[name], self.growth[name])
        if place not in shared:
            shared[place] = source_indices(rotation, control, grid)
        index = shared[place]
        if name == "raw" or crops.dtype.is_floating_point:
            values = linear(batched, index, keep_type=name != "raw" or self.raw_range is None)
        else:
            if (place, "nearest") not in shared:
                shared[(place, "nearest")] = nearest_flat(index, grid.crop)
            values = nearest(batched, shared[(place, "nearest")])
        if not bool(applied.all()):  # as read: the centre of the crop
            skipped = torch.nonzero(~applied).flatten().tolist()
            centre = self._centre(name, batched)
            values[skipped] = centre[skipped].to(values.dtype)
        return values.reshape(crops.shape[:1] + tuple(leading) + tuple(values.shape[2:]))

    def _centre(self, name: str, batched: torch.Tensor) -> torch.Tensor:
        steps = self.growth[name] / self.voxel_sizes[name]
        return batched[(slice(None), slice(None)) + tuple(
            slice(s, n - s) for s, n in zip(steps, batched.shape[2:]))]

    def _grid(self, name: str, device: torch.device) -> Grid:
        if (name, device) not in self._grids:
            self._grids[(name, device)] = self._make_grid(name, device)
        return self._grids[(name, device)]

    def _make_grid(self, name: str, device: torch.device) -> Grid:
        reference = self._reference
        roi, voxel_size = self.rois[name], self.voxel_sizes[name]
        positions = reference.axis_positions(roi, voxel_size)
        crop = roi.grow(self.growth[name], self.growth[name])

        def tensor(values, dtype=np.float64) -> torch.Tensor:
            return torch.as_tensor(np.asarray(values, dtype=dtype), device=device)

        def per_axis(values, dtype) -> torch.Tensor:  # (1, dims, 1, ...) to broadcast
            return tensor(values, dtype).reshape((1, -1) + (1,) * roi.dims)

        return Grid(
            centred=[tensor(p - c) for p, c in zip(positions, reference.centre)],
            weights=[tensor(reference.axis_weights(p, axis)) for axis, p in enumerate(positions)],
            centre=per_axis(reference.centre, np.float64),
            shift=per_axis([o - b for o, b in zip(reference.origin, crop.begin)], np.float32),
            voxel_size=per_axis(list(voxel_size), np.float32),
            crop=tuple(int(n) for n in crop.shape / voxel_size),
        )


def _reference_deformation(elastic, rois: Mapping[str, Roi],
                           voxel_sizes: Mapping[str, Coordinate]) -> Deformation:
    """A deformation with the geometry of every draw (no rotation, no
    displacement): its origin, centre, spacing and control grid."""
    total, base = deformed_region(rois, voxel_sizes)
    return identity_deformation(total, base, elastic.control_point_spacing, elastic.subsample)
