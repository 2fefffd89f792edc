"""Config of a channel-wise concatenation of arrays."""

from __future__ import annotations

from typing import Dict, List, Optional

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class ConcatArrayConfig(ArrayConfig):
    """Stacks one single-channel array per named channel into a ``"c"`` axis.

    Channel ``i`` of the result is ``source_array_configs[channels[i]]``; a
    channel without a source is read from ``default_config`` or, without one,
    is all zeros. The result covers the intersection of the sources' ROIs.
    """

    array_type = runtime_type(".concat_array.ConcatArray")

    channels: List[str] = attr.ib(
        metadata={"help_text": "The output channel names, in output order."}
    )
    source_array_configs: Dict[str, ArrayConfig] = attr.ib(
        metadata={
            "help_text": "Channel name -> single-channel array for that channel. "
            "Channels missing here come from `default_config`."
        }
    )
    default_config: Optional[ArrayConfig] = attr.ib(
        default=None,
        metadata={
            "help_text": "Array used for every channel without a source; zeros when "
            "not given."
        },
    )

    @channels.validator
    def _check_channels(self, attribute, value):
        owner = f"ConcatArrayConfig {self.name!r}"
        if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
            raise ConfigError(
                f"{owner}: `channels` must be a non-empty list of channel names, got {value!r}"
            )
        duplicates = sorted({c for c in value if value.count(c) > 1})
        if duplicates:
            raise ConfigError(f"{owner}: channel names {duplicates} appear more than once")

    @source_array_configs.validator
    def _check_sources(self, attribute, value):
        owner = f"ConcatArrayConfig {self.name!r}"
        unknown = sorted(set(value) - set(self.channels))
        if unknown:
            raise ConfigError(
                f"{owner}: `source_array_configs` has channels {unknown} that are not in "
                f"`channels` {self.channels}; add them to `channels` or remove them"
            )
        if not value and self.default_config is None:
            raise ConfigError(
                f"{owner}: no `source_array_configs` and no `default_config`; give at "
                "least one array so that the result has a ROI and voxel size"
            )

    def validate(self) -> None:
        """Checks the fields and every source config."""
        attr.validate(self)
        for source in self.source_array_configs.values():
            source.validate()
        if self.default_config is not None:
            self.default_config.validate()
