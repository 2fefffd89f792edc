"""Config of the union of a multi-channel array's channels."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type

from .array_config import ArrayConfig


@attr.s
class LogicalOrArrayConfig(ArrayConfig):
    """The maximum over the source's ``"c"`` axis (the union of binary channels)."""

    array_type = runtime_type(".logical_or_array.LogicalOrArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "An array with a channel axis, e.g. a BinarizeArrayConfig."}
    )

    def validate(self) -> None:
        """Checks the source config."""
        self.source_array_config.validate()
