"""Config of a linear intensity normalisation of another array."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class IntensitiesArrayConfig(ArrayConfig):
    """Maps the source's values linearly so that ``min`` becomes 0 and ``max`` 1."""

    array_type = runtime_type(".intensity_array.IntensitiesArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "The array whose intensities are normalised."}
    )
    min: float = attr.ib(
        metadata={"help_text": "The source value mapped to 0 (values below become negative)."}
    )
    max: float = attr.ib(
        metadata={"help_text": "The source value mapped to 1 (values above exceed 1)."}
    )

    @max.validator
    def _check_range(self, attribute, value):
        if not value > self.min:
            raise ConfigError(
                f"IntensitiesArrayConfig {self.name!r}: `max` ({value}) must be greater "
                f"than `min` ({self.min}); give the intensity range of the source, "
                "e.g. min=0, max=255 for uint8 raw data"
            )

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
