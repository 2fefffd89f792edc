"""Config of an array filled with one value, shaped like another array."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class ConstantArrayConfig(ArrayConfig):
    """Every voxel equals ``constant``; ROI, voxel size, axes and channels come from
    the source, whose values are never read.

    The dtype is the smallest one holding the constant (``np.min_scalar_type``):
    uint8 for 0/1 masks, a signed type for negative constants.
    """

    array_type = runtime_type(".constant_array.ConstantArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "The array whose geometry (ROI, voxel size, axes) is copied."}
    )
    constant: int = attr.ib(
        default=1,
        metadata={
            "help_text": "The value of every voxel, e.g. 1 for a 'fully annotated' mask "
            "or 0 for empty ground truth."
        },
    )

    @constant.validator
    def _check_constant(self, attribute, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(
                f"ConstantArrayConfig {self.name!r}: `constant` must be an int, got "
                f"{type(value).__name__} {value!r}"
            )

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
