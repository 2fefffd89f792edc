"""Config of ``DummyArray``, a test fixture."""

from __future__ import annotations

import attr

from dacapo.errors import ConfigError

from .array_config import ArrayConfig
from .dummy_array import DummyArray


@attr.s
class DummyArrayConfig(ArrayConfig):
    """A (100, 50, 50) array of zeros; never valid, for tests only."""

    array_type = DummyArray

    def validate(self) -> None:
        raise ConfigError("This is a DummyArrayConfig and is never valid")
