"""Small helpers shared by the predictors: heads, ground-truth reading, output arrays."""

from __future__ import annotations

from typing import List, Optional

import numpy as np
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray

_CONV = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}


def make_head(architecture, out_channels: int, kernel_size: int = 1) -> torch.nn.Module:
    """A convolution from the architecture's channels to ``out_channels``; odd
    kernels are zero-padded so the head keeps the spatial shape."""
    if architecture.dims not in _CONV:
        raise ConfigError(
            f"{type(architecture).__name__} is {architecture.dims}D; prediction heads "
            "exist for 1D to 3D architectures only"
        )
    return _CONV[architecture.dims](
        architecture.num_out_channels, out_channels, kernel_size, padding=kernel_size // 2
    )


def spatial_axes(array: Array) -> List[str]:
    """The spatial axis names of ``array``."""
    return [axis for axis in array.axes if axis not in ("b", "c")]


def wrap(data: np.ndarray, roi: Roi, voxel_size: Coordinate, axes: List[str]) -> NumpyArray:
    """``data`` as a ``NumpyArray``."""
    return NumpyArray.from_np_array(data, roi, voxel_size, axes)


def gt_channels(gt: Array, roi: Roi, num_channels: int, owner: str) -> np.ndarray:
    """Ground truth over ``roi`` as ``(num_channels, *spatial)``.

    Ground truth without a channel axis serves a single channel.
    """
    data = np.asarray(gt[roi])
    spatial = data.shape[data.ndim - gt.dims :]
    data = data.reshape((-1,) + spatial)
    if data.shape[0] != num_channels:
        raise ConfigError(
            f"{owner}: ground truth {gt.name!r} (axes {gt.axes}, shape {gt.shape}) has "
            f"{data.shape[0]} channel(s) but {num_channels} are predicted; give one "
            "channel per predicted class (e.g. with a BinarizeArrayConfig), or a single "
            "label volume for a single channel"
        )
    return data


def single_labels(gt: Array, roi: Roi, owner: str) -> np.ndarray:
    """A single label volume (no channel axis, or one channel) over ``roi``."""
    return gt_channels(gt, roi, 1, owner)[0]


def mask_over(mask: Optional[Array], roi: Roi, voxel_size: Coordinate, channels: int) -> np.ndarray:
    """``mask`` over ``roi`` as float32 ``(channels, *spatial)``: ones when there
    is no mask, zeros where the mask does not reach."""
    shape = tuple(roi.shape / voxel_size)
    if mask is None:
        return np.ones((channels,) + shape, dtype=np.float32)
    data = mask[roi] if mask.roi.contains(roi) else mask.to_ndarray(roi, fill_value=0)
    data = np.asarray(data, dtype=np.float32)
    data = data.reshape((-1,) + data.shape[data.ndim - len(shape) :])
    if data.shape[0] not in (1, channels) or data.shape[1:] != shape:
        raise ConfigError(
            f"mask {mask.name!r} (axes {mask.axes}, voxel size {mask.voxel_size}) gives "
            f"shape {data.shape} over {roi}; expected spatial shape {shape} with no "
            f"channel axis, one channel, or one per predicted channel ({channels})"
        )
    return np.ascontiguousarray(np.broadcast_to(data, (channels,) + shape))


def grow_spec(target_spec, lower: Coordinate, upper: Optional[Coordinate] = None):
    """``target_spec`` (a gunpowder ``ArraySpec`` or a ``Roi``) grown by
    ``lower`` below and ``upper`` (default ``lower``) above."""
    upper = lower if upper is None else upper
    if isinstance(target_spec, Roi):
        return target_spec.grow(lower, upper)
    spec = target_spec.copy()
    spec.roi = spec.roi.grow(lower, upper)
    if spec.voxel_size is not None:
        spec.roi = spec.roi.snap_to_grid(spec.voxel_size, mode="grow")
    return spec


def moving_slice(moving_counts, start: int, stop: Optional[int]):
    """Part ``[start, stop)`` of a moving-counts list (``None`` stays ``None``)."""
    return None if moving_counts is None else moving_counts[start:stop]
