"""Config of an all-ones array (deprecated: use ``ConstantArrayConfig``)."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type

from .array_config import ArrayConfig


@attr.s
class OnesArrayConfig(ArrayConfig):
    """Deprecated alias of ``ConstantArrayConfig(name, source_array_config, constant=1)``."""

    array_type = runtime_type(".ones_array.OnesArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "The array whose geometry (ROI, voxel size, axes) is copied."}
    )

    def validate(self) -> None:
        """Checks the source config."""
        self.source_array_config.validate()
