"""Another array seen at a different resolution, resampled on read."""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError

from ._wrapped import WrappedArray, open_source
from .array import StoredGeometry


class ResampledArray(StoredGeometry, WrappedArray):
    """The source at voxel size ``source.voxel_size * downsample / upsample``.

    Output voxel ``i`` samples the source at its centre. The ROI is the source's
    ROI shrunk to the grid of both voxel sizes (their per-axis lcm, counted
    from world 0), so each output voxel covers whole source voxels and the
    offset is a multiple of the new voxel size, as every array's is::

        source (vs 2):  |--|--|--|--|--|--|--|        [2, 16)
        output (vs 4):     |-----|-----|-----|        [4, 16)

    A read fetches only the source voxels under the requested ROI plus a margin
    for the interpolation kernel and the anti-aliasing filter.
    """

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        self._order = int(array_config.interp_order)
        self._voxel_size = _target_voxel_size(
            self._source_array, array_config.upsample, array_config.downsample, self.name
        )
        self._roi = _snapped_roi(self._source_array, self._voxel_size, self.name)

    def _read(self, roi: Roi) -> np.ndarray:
        if roi.empty:
            shape = tuple(self._channel_shape()) + tuple(roi.shape / self._voxel_size)
            return np.zeros(shape, dtype=self.dtype)
        if self._order == 0:
            return self._read_nearest(roi)
        return self._read_interpolated(roi)

    def _centres(self, roi: Roi, axis: int) -> np.ndarray:
        """Source voxel coordinates (voxel ``j`` centred at ``j``) of the output centres."""
        source = self._source_array
        start = (roi.begin[axis] - source.roi.begin[axis]) / source.voxel_size[axis]
        step = self._voxel_size[axis] / source.voxel_size[axis]
        count = roi.shape[axis] // self._voxel_size[axis]
        return start + (np.arange(count) + 0.5) * step - 0.5

    def _read_nearest(self, roi: Roi) -> np.ndarray:
        source = self._source_array
        indices = []
        for axis in range(roi.dims):
            # index of the source voxel holding the centre, ceil(2x / 2vs) - 1 in
            # integers; a centre on a voxel boundary takes the lower voxel
            num = 2 * (roi.begin[axis] - source.roi.begin[axis]) + (
                2 * np.arange(roi.shape[axis] // self._voxel_size[axis]) + 1
            ) * self._voxel_size[axis]
            indices.append(-((-num) // (2 * source.voxel_size[axis])) - 1)
        block, first = self._read_source([(i[0], i[-1] + 1) for i in indices])
        index = np.ix_(*[i - f for i, f in zip(indices, first)])
        leading = (slice(None),) * (block.ndim - roi.dims)
        return block[leading + index]

    def _read_interpolated(self, roi: Roi) -> np.ndarray:
        from scipy import ndimage

        centres = [self._centres(roi, axis) for axis in range(roi.dims)]
        source_voxel_size = self._source_array.voxel_size
        scales = [self._voxel_size[a] / source_voxel_size[a] for a in range(roi.dims)]
        sigmas = [max(0.0, (s - 1.0) / 2.0) for s in scales]
        margins = [math.ceil(4 * s) + 3 * self._order + 2 for s in sigmas]
        ranges = [
            (math.floor(c[0]) - m, math.ceil(c[-1]) + m + 1) for c, m in zip(centres, margins)
        ]
        block, first = self._read_source(ranges)
        out_shape = tuple(len(c) for c in centres)
        leading = block.shape[: block.ndim - roi.dims]
        out = np.empty(leading + out_shape, dtype=np.float32)
        offsets = [c[0] - f for c, f in zip(centres, first)]
        for channel in np.ndindex(*leading):
            values = block[channel].astype(np.float32)
            if any(sigmas):
                values = ndimage.gaussian_filter(values, sigmas, mode="nearest", truncate=4.0)
            out[channel] = ndimage.affine_transform(
                values, scales, offset=offsets, output_shape=out_shape,
                order=self._order, mode="nearest", prefilter=self._order > 1,
            )
        return _cast(out, np.dtype(self.dtype))

    def _read_source(self, ranges) -> Tuple[np.ndarray, list]:
        """Reads source voxels ``[lo, hi)`` per axis, clipped to the source."""
        source = self._source_array
        voxels = source.roi.shape / source.voxel_size
        first = [max(0, int(lo)) for lo, _ in ranges]
        last = [min(int(n), int(hi)) for (_, hi), n in zip(ranges, voxels)]
        begin = source.roi.begin + Coordinate(first) * source.voxel_size
        shape = (Coordinate(last) - Coordinate(first)) * source.voxel_size
        return source[Roi(begin, shape)], first


def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Interpolated float values back to the source's dtype."""
    if dtype == np.bool_:
        return values > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype)


def _target_voxel_size(source, upsample, downsample, name: str) -> Coordinate:
    """``source.voxel_size * downsample / upsample``, which must be integral."""
    owner = f"ResampledArray {name!r}"
    if len(upsample) != source.dims or len(downsample) != source.dims:
        raise ConfigError(
            f"{owner}: `upsample` {upsample} and `downsample` {downsample} need one "
            f"factor per spatial axis of source {source.name!r} ({source.dims} axes)"
        )
    up = Coordinate(max(int(u), 1) for u in upsample)
    down = Coordinate(max(int(d), 1) for d in downsample)
    scaled = source.voxel_size * down
    if scaled % up != Coordinate((0,) * source.dims):
        raise ConfigError(
            f"{owner}: voxel size {source.voxel_size} of source {source.name!r} times "
            f"`downsample` {down} is not divisible by `upsample` {up}; choose factors "
            "that give an integer voxel size"
        )
    return scaled / up


def _snapped_roi(source, voxel_size: Coordinate, name: str) -> Roi:
    """The source ROI shrunk to the lcm grid of both voxel sizes (from world 0)."""
    grid = Coordinate(math.lcm(a, b) for a, b in zip(source.voxel_size, voxel_size))
    snapped = source.roi.snap_to_grid(grid, mode="shrink")
    if snapped.empty:
        raise ConfigError(
            f"ResampledArray {name!r}: the ROI {source.roi} of source {source.name!r} is "
            f"smaller than one voxel of the common grid {grid} of voxel sizes "
            f"{source.voxel_size} and {voxel_size}"
        )
    return snapped
