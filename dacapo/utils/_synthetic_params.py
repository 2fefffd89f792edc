"""Checked parameters of the synthetic EM-like volume generator."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import attr
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

#: seeds must fit the uint64 hashes
MAX_SEED = 2**64 - 1


def _in_range(low: float, high: float, *, open_low: bool = False):
    def check(instance, attribute, value):
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or value < low
            or value > high
            or (open_low and value == low)
        ):
            bracket = "(" if open_low else "["
            raise ConfigError(
                f"synthetic volume: `{attribute.name}` must be a number in "
                f"{bracket}{low}, {high}], got {value!r}"
            )

    return check


@attr.s(frozen=True, kw_only=True)
class SyntheticParams:
    """How the cells, organelles and intensities of a synthetic volume look.

    Lengths are in voxels. Cells are the Voronoi regions of one jittered seed
    per cube of ``cell_size`` voxels, with a smooth random warp.
    """

    cell_size: float = attr.ib(default=24.0, validator=_in_range(6.0, 1e6))
    membrane_width: float = attr.ib(default=2.0, validator=_in_range(0.5, 1e6))
    extracellular_fraction: float = attr.ib(default=0.1, validator=_in_range(0.0, 1.0))
    mitochondria_probability: float = attr.ib(
        default=0.6, validator=_in_range(0.0, 1.0)
    )
    vesicle_probability: float = attr.ib(default=0.5, validator=_in_range(0.0, 1.0))
    annotated_fraction: float = attr.ib(default=1.0, validator=_in_range(0.0, 1.0))
    noise_std: float = attr.ib(default=8.0, validator=_in_range(0.0, 255.0))
    blur_sigma: float = attr.ib(default=1.0, validator=_in_range(0.0, 10.0))
    num_sample_points: int = attr.ib(default=8)

    @membrane_width.validator
    def _membrane_fits(self, attribute, value):
        if value > self.cell_size / 4:
            raise ConfigError(
                f"synthetic volume: `membrane_width` {value} is more than a quarter of "
                f"`cell_size` {self.cell_size}; use a thinner membrane or larger cells"
            )

    @num_sample_points.validator
    def _count(self, attribute, value):
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Integral)
            or value < 0
        ):
            raise ConfigError(
                f"synthetic volume: `num_sample_points` must be an integer >= 0, got {value!r}"
            )

    @property
    def blur_radius(self) -> int:
        """Voxels the blur kernel reaches on each side."""
        return math.ceil(3.0 * self.blur_sigma)

    @property
    def halo(self) -> int:
        """Context in voxels a block needs so that blocks agree with the whole."""
        return self.blur_radius + 3


def make_params(params: dict) -> SyntheticParams:
    """``SyntheticParams`` from keyword arguments, naming unknown ones."""
    unknown = sorted(set(params) - {a.name for a in attr.fields(SyntheticParams)})
    if unknown:
        known = ", ".join(a.name for a in attr.fields(SyntheticParams))
        raise ConfigError(
            f"synthetic volume: unknown parameter(s) {', '.join(unknown)}; known: {known}"
        )
    return SyntheticParams(**params)


def validate_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """``shape`` as a tuple of 2 or 3 positive ints, or a ConfigError naming it."""
    try:
        values = tuple(shape)
    except TypeError:
        values = None
    if values is None or len(values) not in (2, 3):
        raise ConfigError(
            f"synthetic volume: `shape` {shape!r} must list 2 or 3 sizes (y, x) or (z, y, x)"
        )
    if not all(_is_int(v) and v > 0 for v in values):
        raise ConfigError(
            f"synthetic volume: `shape` {shape!r} must contain positive integers only"
        )
    return tuple(int(v) for v in values)


def validate_seed(seed) -> int:
    """``seed`` as an int in [0, 2**64), or a ConfigError."""
    if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(
            f"synthetic volume: `seed` must be an integer in [0, 2**64), got {seed!r}"
        )
    return int(seed)


def validate_vector(name: str, value, dims: int, *, positive: bool) -> tuple[int, ...]:
    """A per-axis integer vector (voxel size, offset) of length ``dims``."""
    try:
        values = tuple(value)
    except TypeError:
        values = ()
    ok = len(values) == dims and all(
        _is_int(v) and (v > 0 or not positive) for v in values
    )
    if not ok:
        kind = "positive integers" if positive else "integers"
        raise ConfigError(
            f"synthetic volume: `{name}` {value!r} must be {dims} {kind}, "
            f"one per axis of the shape"
        )
    return tuple(int(v) for v in values)


def validate_world(shape, voxel_size, offset) -> tuple[Coordinate, Coordinate]:
    """Checked voxel size and offset (defaults 1 and 0 per axis) for a volume of ``shape``."""
    dims = len(shape)
    voxel_size = (1,) * dims if voxel_size is None else voxel_size
    offset = (0,) * dims if offset is None else offset
    voxel_size = validate_vector("voxel_size", voxel_size, dims, positive=True)
    offset = validate_vector("offset", offset, dims, positive=False)
    if any(o % v for o, v in zip(offset, voxel_size)):
        raise ConfigError(
            f"synthetic volume: `offset` {offset} is not a multiple of `voxel_size` "
            f"{voxel_size}; round it to the voxel grid"
        )
    return Coordinate(voxel_size), Coordinate(offset)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
