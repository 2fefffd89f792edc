"""Config of the voxelwise sum of several arrays."""

from __future__ import annotations

from typing import List

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


def validate_source_list(owner: str, value) -> None:
    """Raises ``ConfigError`` unless ``value`` is a non-empty list of array configs."""
    if not isinstance(value, list) or not value:
        raise ConfigError(
            f"{owner}: `source_array_configs` must be a non-empty list of array "
            f"configs, got {value!r}"
        )
    for item in value:
        if not isinstance(item, ArrayConfig):
            raise ConfigError(
                f"{owner}: `source_array_configs` holds {type(item).__name__} {item!r}; "
                "expected array configs"
            )


@attr.s
class SumArrayConfig(ArrayConfig):
    """The voxelwise sum of arrays with the same voxel size, axes and channels,
    over the intersection of their ROIs."""

    array_type = runtime_type(".sum_array.SumArray")

    source_array_configs: List[ArrayConfig] = attr.ib(
        metadata={"help_text": "The arrays to add up."}
    )

    @source_array_configs.validator
    def _check_sources(self, attribute, value):
        validate_source_list(f"SumArrayConfig {self.name!r}", value)

    def validate(self) -> None:
        """Checks the fields and every source config."""
        attr.validate(self)
        for source in self.source_array_configs:
            source.validate()
