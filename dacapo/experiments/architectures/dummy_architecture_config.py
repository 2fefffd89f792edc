"""Config of the single-convolution test architecture."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .architecture_config import ArchitectureConfig


@attr.s
class DummyArchitectureConfig(ArchitectureConfig):
    """A single 3x3x3 convolution on a (40, 20, 20) input, for tests and demos."""

    architecture_type = runtime_type(".dummy_architecture.DummyArchitecture")

    num_in_channels: int = attr.ib(metadata={"help_text": "Number of input channels."})
    num_out_channels: int = attr.ib(metadata={"help_text": "Number of output channels."})

    def check_values(self) -> None:
        for field in ("num_in_channels", "num_out_channels"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"DummyArchitectureConfig {self.name!r}: {field} must be a positive "
                    f"integer, got {value!r}"
                )
