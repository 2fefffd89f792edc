"""Where prediction windows go: context, the window lattice and blending weights.

A network maps an input window to an output window centred inside it; the
``context`` is what the input adds on each side (world units)::

    input window    |<-context->|<------ output window ------>|<-context->|

Output windows sit on a lattice anchored at an ``origin`` (the ROI origin of
the whole job, never of one block), stepping by ``stride``::

    valid nets (context > 0): stride = output window, windows tile exactly
        origin |=====w0=====|=====w1=====|=====w2=====|
    same-padded nets (context 0): stride = window * (1 - overlap), windows
    overlap and are blended with a Gaussian weight (sigma = window / 8)
        origin |=====w0=====|
                     |=====w1=====|
                           |=====w2=====|

A block (write ROI) is predicted by every lattice window that intersects it,
each read whole (zero-padded beyond the input), so each voxel gets the same
windows and weights whatever the blocking: the result does not depend on it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import List, Tuple

import attr
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, RoiError

__all__ = ["InferenceGeometry", "inference_geometry", "gaussian_weight", "block_rois"]


@attr.s(frozen=True)
class InferenceGeometry:
    """The windows of a model on an input voxel grid (sizes in world units
    unless named ``*_shape``, which count voxels)."""

    input_voxel_size: Coordinate = attr.ib()
    output_voxel_size: Coordinate = attr.ib()
    input_shape: Coordinate = attr.ib()
    output_shape: Coordinate = attr.ib()
    num_channels: int = attr.ib()
    stride: Coordinate = attr.ib()

    @property
    def input_size(self) -> Coordinate:
        return self.input_shape * self.input_voxel_size

    @property
    def output_size(self) -> Coordinate:
        return self.output_shape * self.output_voxel_size

    @property
    def context(self) -> Coordinate:
        """What an input window adds on each side of its output window."""
        return (self.input_size - self.output_size) / 2

    @property
    def blend(self) -> bool:
        """Whether windows overlap and are blended (same-padded nets)."""
        return self.stride != self.output_size

    @property
    def block_context(self) -> Coordinate:
        """How far the input read for a lattice-aligned block reaches beyond it,
        on either side (the larger of the two)."""
        window, stride = self.output_size, self.stride
        behind = Coordinate(
            (math.ceil(w / s) - 1) * s for w, s in zip(window, stride)
        )
        ahead = window - stride
        return Coordinate(max(b, a) for b, a in zip(behind, ahead)) + self.context

    def default_block_size(self) -> Coordinate:
        """Write size of a block: one output window for valid nets; four
        strides (two windows at overlap 0.5) for blended nets."""
        return self.output_size if not self.blend else self.stride * 4

    def windows(self, roi: Roi, origin: Coordinate) -> List[Roi]:
        """The lattice's output windows that intersect ``roi``, in C order."""
        ranges = []
        for begin, end, o, w, s in zip(roi.begin, roi.end, origin, self.output_size, self.stride):
            first = -((o + w - begin - 1) // s)  # smallest k with o + k s + w > begin
            last = (end - 1 - o) // s  # largest k with o + k s < end
            ranges.append(range(first, last + 1))
        starts = np.stack(np.meshgrid(*ranges, indexing="ij"), -1).reshape(-1, roi.dims)
        return [
            Roi(Coordinate(origin) + Coordinate(k) * self.stride, self.output_size)
            for k in starts.tolist()
        ]

    def input_roi(self, window: Roi) -> Roi:
        """The input the network reads for output ``window``."""
        return window.grow(self.context, self.context)

    def check_origin(self, origin: Coordinate, input_offset: Coordinate, what: str) -> None:
        """``RoiError`` unless windows from ``origin`` lie on the input and output grids."""
        start = Coordinate(origin) - self.context - Coordinate(input_offset)
        if start % self.input_voxel_size != Coordinate((0,) * start.dims) or (
            Coordinate(origin) % self.output_voxel_size != Coordinate((0,) * start.dims)
        ):
            raise RoiError(
                f"{what}: output windows starting at {tuple(origin)} do not lie on the "
                f"output voxel grid {tuple(self.output_voxel_size)}, or their inputs "
                f"(context {tuple(self.context)}) not on the input grid "
                f"{tuple(self.input_voxel_size)} from {tuple(input_offset)}; start the "
                "output ROI on those grids, e.g. roi.snap_to_grid(voxel_size)"
            )


def inference_geometry(model, input_voxel_size: Coordinate, overlap: float = 0.5):
    """The windows of ``model`` (a dacapo ``Model``) at its eval input shape.

    ``overlap`` (in [0, 1)) is the fraction of a window its neighbour
    overlaps, used only by same-padded nets (context 0).
    """
    if not 0.0 <= overlap < 1.0:
        raise ConfigError(f"prediction: overlap must be in [0, 1), got {overlap!r}")
    input_voxel_size = Coordinate(input_voxel_size)
    input_shape = Coordinate(model.eval_input_shape)
    channels, output_shape = model.compute_output_shape(input_shape)
    output_voxel_size = Coordinate(model.scale(input_voxel_size))
    step = _grid_step(input_voxel_size, output_voxel_size)
    output_size = output_shape * output_voxel_size
    difference = input_shape * input_voxel_size - output_size
    if any(d < 0 or d % 2 for d in difference) or (difference / 2) % output_voxel_size != (
        Coordinate((0,) * difference.dims)
    ):
        raise ConfigError(
            f"prediction: the model's output window ({tuple(output_size)}, world units) "
            f"does not sit centred on the output voxel grid {tuple(output_voxel_size)} "
            f"inside its input window ({tuple(input_shape * input_voxel_size)}); choose "
            "an eval input shape for which it does"
        )
    if any(d > 0 for d in difference):
        stride = output_size
    else:
        stride = _blend_stride(output_size, step, overlap)
    if stride % step != Coordinate((0,) * stride.dims):
        raise ConfigError(
            f"prediction: the output window {tuple(output_size)} (world units) is not a "
            f"multiple of {tuple(step)}, the step on which input ({tuple(input_voxel_size)}) "
            "and output voxels align; choose another eval input shape"
        )
    return InferenceGeometry(
        input_voxel_size, output_voxel_size, input_shape, output_shape, int(channels), stride
    )


def _grid_step(a: Coordinate, b: Coordinate) -> Coordinate:
    return Coordinate(x * y // math.gcd(x, y) for x, y in zip(a, b))


def _blend_stride(window: Coordinate, step: Coordinate, overlap: float) -> Coordinate:
    """``window * (1 - overlap)`` rounded down to a multiple of ``step`` (at least one)."""
    return Coordinate(
        max(s, int(w * (1.0 - overlap)) // s * s) if w >= s else w
        for w, s in zip(window, step)
    )


@lru_cache(maxsize=8)
def gaussian_weight(shape: Tuple[int, ...]) -> np.ndarray:
    """A separable Gaussian over ``shape`` (sigma = size / 8 per axis), peak 1,
    floored at its smallest positive value so that no weight is 0."""
    weight = np.ones(shape, dtype=np.float64)
    for axis, size in enumerate(shape):
        sigma = max(size / 8.0, 1e-3)
        x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
        profile = np.exp(-0.5 * (x / sigma) ** 2)
        weight = weight * profile.reshape((-1,) + (1,) * (len(shape) - axis - 1))
    weight = weight.astype(np.float32)
    positive = weight[weight > 0]
    floor = positive.min() if positive.size else np.float32(1.0)
    weight = np.maximum(weight, floor)
    weight.setflags(write=False)
    return weight


def block_rois(roi: Roi, block_size: Coordinate) -> List[Roi]:
    """``roi`` tiled by ``block_size`` from its offset (the last blocks may overhang)."""
    shape = -(-roi.shape // block_size)  # ceil
    grid = np.stack(np.meshgrid(*[range(s) for s in shape], indexing="ij"), -1)
    return [
        Roi(roi.offset + Coordinate(k) * block_size, block_size)
        for k in grid.reshape(-1, roi.dims).tolist()
    ]
