"""Config of another array seen at a different resolution."""

from __future__ import annotations

from typing import Any

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import to_coordinate
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


def _to_order(value: Any) -> Any:
    # classic configs stored a bool: False = nearest, True = linear
    return int(value) if isinstance(value, bool) else value


@attr.s
class ResampledArrayConfig(ArrayConfig):
    """The source resampled to voxel size ``source voxel size * downsample / upsample``.

    Upsampled axes are interpolated with splines of order ``interp_order``;
    downsampled axes are smoothed with a Gaussian first (anti-aliasing, as
    ``skimage.transform.rescale`` does) when ``interp_order > 0``. Order 0
    takes the nearest source voxel and is the one to use for labels.
    """

    array_type = runtime_type(".resampled_array.ResampledArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "The array to resample."}
    )
    upsample: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={
            "help_text": "Per spatial axis, how many output voxels one source voxel "
            "becomes (1, or 0 as in older configs, for no upsampling)."
        },
    )
    downsample: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={
            "help_text": "Per spatial axis, how many source voxels one output voxel "
            "covers (1, or 0 as in older configs, for no downsampling)."
        },
    )
    interp_order: Any = attr.ib(
        converter=_to_order,
        metadata={
            "help_text": "Spline order 0-5 (0: nearest, for labels; 1: linear). "
            "A bool (older configs) means 0 or 1."
        },
    )

    @upsample.validator
    @downsample.validator
    def _check_factors(self, attribute, value):
        owner = f"ResampledArrayConfig {self.name!r}"
        if not isinstance(value, Coordinate) or any(
            v is None or v < 0 for v in value
        ):
            raise ConfigError(
                f"{owner}: `{attribute.name}` must be non-negative integers per spatial "
                f"axis, got {value!r}"
            )
        if attribute.name == "downsample" and len(value) != len(self.upsample):
            raise ConfigError(
                f"{owner}: `upsample` {self.upsample} and `downsample` {value} have "
                "different numbers of axes"
            )

    @interp_order.validator
    def _check_order(self, attribute, value):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise ConfigError(
                f"ResampledArrayConfig {self.name!r}: `interp_order` must be an int from "
                f"0 to 5 (0 for labels, 1 for linear), got {value!r}"
            )

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
