"""Tensor geometry of a bioimage.io export: valid input sizes and output sizes.

bioimage.io describes a network that accepts many input sizes by
``size = min + n * step`` per space axis, and each output size relative to
the input::

    output size = int(input size * input scale / output scale) + offset

For a valid-padded U-Net ``offset`` is negative: the context the network
crops, counted in output voxels. ``min`` and ``step`` come from the
architecture's shape arithmetic (``geometry()`` of a ``CNNectomeUNetConfig``);
other architectures are described with their fixed training input shape.
The offsets are measured by running the network on zeros at ``min``,
``min + step`` and ``min + 2 * step``.
"""

from __future__ import annotations

import logging
from typing import Any, List, Optional, Sequence, Tuple

import attr
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["TensorGeometry", "measure_geometry", "SPACE_AXES"]

#: bioimage.io axis ids of the space axes, the last ``dims`` of them
SPACE_AXES = ("z", "y", "x")
#: how far above the minimum the next valid size is searched for
_SEARCH = 4096


@attr.s(frozen=True, auto_attribs=True)
class TensorGeometry:
    """Space axes of the input and output tensors of an exported network.

    ``step`` is 0 on every axis when only the size ``minimum`` is known to
    work; the output sizes are then ``fixed_output``.
    """

    axes: Tuple[str, ...]
    minimum: Tuple[int, ...]
    step: Tuple[int, ...]
    offset: Tuple[int, ...]
    fixed_output: Tuple[int, ...]
    input_voxel_size: Coordinate
    output_voxel_size: Coordinate

    @property
    def parameterized(self) -> bool:
        return any(self.step)

    def output_size(self, input_size: Sequence[int]) -> Tuple[int, ...]:
        """The output shape for ``input_size``, as bioimage.io computes it."""
        if not self.parameterized:
            return self.fixed_output
        return tuple(
            _referenced(s, i, o, offset) for s, i, o, offset in
            zip(input_size, self.input_voxel_size, self.output_voxel_size, self.offset)
        )

    def check_input(self, shape: Sequence[int], what: str) -> None:
        """``ConfigError`` unless the spatial ``shape`` is a valid input size."""
        valid = [
            (s == m) if not step else (s >= m and (s - m) % step == 0)
            for s, m, step in zip(shape, self.minimum, self.step)
        ]
        if len(shape) != len(self.minimum) or not all(valid):
            sizes = ", ".join(
                f"{a}: {m}" if not step else f"{a}: {m} + n*{step}"
                for a, m, step in zip(self.axes, self.minimum, self.step)
            )
            raise ConfigError(
                f"bioimage.io export: {what} has spatial shape {tuple(shape)}, which the "
                f"network cannot take; valid sizes per axis are {sizes}"
            )


def measure_geometry(
    network: Any, architecture_config: Any, input_shape: Coordinate, input_voxel_size: Coordinate
) -> TensorGeometry:
    """The geometry of ``network`` (a ``BioImageIONetwork``), whose
    architecture trains on ``input_shape`` and reads ``input_voxel_size``."""
    dims = input_shape.dims
    if dims > len(SPACE_AXES):
        raise ConfigError(
            f"bioimage.io export: the network has {dims} spatial dimensions; bioimage.io "
            f"space axes are {', '.join(SPACE_AXES)} (at most 3)"
        )
    output_voxel_size = network.scale(input_voxel_size)
    axes = SPACE_AXES[len(SPACE_AXES) - dims:]
    sizes = _valid_sizes(architecture_config, input_shape)
    if sizes is not None:
        minimum, step = sizes
        try:
            return _parameterized(network, axes, minimum, step, input_voxel_size,
                                  output_voxel_size)
        except (ConfigError, RuntimeError) as error:
            logger.warning("bioimage.io export: describing the input with its fixed "
                           "training shape %s (%s)", tuple(input_shape), error)
    return TensorGeometry(axes, tuple(input_shape), (0,) * dims, (0,) * dims,
                          _output_shape(network, input_shape), input_voxel_size,
                          output_voxel_size)


def _parameterized(network: Any, axes: Tuple[str, ...], minimum: Tuple[int, ...],
                   step: Tuple[int, ...], input_voxel_size: Coordinate,
                   output_voxel_size: Coordinate) -> TensorGeometry:
    """The geometry of sizes ``minimum + n * step``; ``ConfigError`` when the
    measured output sizes are not those bioimage.io would compute."""
    first = _output_shape(network, Coordinate(minimum))
    offset = tuple(o - _referenced(m, i, v, 0) for o, m, i, v in
                   zip(first, minimum, input_voxel_size, output_voxel_size))
    geometry = TensorGeometry(axes, minimum, step, offset, first, input_voxel_size,
                              output_voxel_size)
    for n in (1, 2):
        size = tuple(m + n * s for m, s in zip(minimum, step))
        measured = _output_shape(network, Coordinate(size))
        if measured != geometry.output_size(size):
            raise ConfigError(
                f"the output shape {measured} for input {size} does not grow linearly "
                f"with the input (expected {geometry.output_size(size)})"
            )
    return geometry


def _referenced(size: int, input_scale: int, output_scale: int, offset: int) -> int:
    """bioimage.io's ``SizeReference`` arithmetic (floats, rounded down)."""
    return int(size * float(input_scale) / float(output_scale) + offset)


def _valid_sizes(
    architecture_config: Any, input_shape: Coordinate
) -> Optional[Tuple[Tuple[int, ...], Tuple[int, ...]]]:
    """``(minimum, step)`` per axis from the architecture's shape arithmetic,
    or None when it has none."""
    geometry = getattr(architecture_config, "geometry", None)
    if not callable(geometry):
        return None
    unet = geometry()
    minimum: List[int] = []
    steps: List[int] = []
    for axis, size in enumerate(input_shape):
        low = next((s for s in range(1, int(size) + 1) if unet.fits(s, axis)), None)
        if low is None:
            return None
        high = next((s for s in range(low + 1, low + _SEARCH) if unet.fits(s, axis)), None)
        if high is None:
            return None
        minimum.append(low)
        steps.append(high - low)
    return tuple(minimum), tuple(steps)


def _output_shape(network: Any, shape: Coordinate) -> Tuple[int, ...]:
    """Spatial output shape of ``network`` for a zero input of spatial ``shape``."""
    import torch

    parameter = next(network.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    channels = network.num_in_channels
    with torch.no_grad():
        out = network(torch.zeros((1, channels) + tuple(shape), device=device))
    return tuple(int(s) for s in out.shape[2:])
