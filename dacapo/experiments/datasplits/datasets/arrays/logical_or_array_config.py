"""Config of the union of a multi-channel array's channels."""

from __future__ import annotations

import attr

from .array_config import ArrayConfig
from .logical_or_array import LogicalOrArray


@attr.s
class LogicalOrArrayConfig(ArrayConfig):
    """The maximum over the source's ``"c"`` axis (the union of binary channels)."""

    array_type = LogicalOrArray

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "An array with a channel axis, e.g. a BinarizeArrayConfig."}
    )

    def validate(self) -> None:
        """Checks the source config."""
        self.source_array_config.validate()
