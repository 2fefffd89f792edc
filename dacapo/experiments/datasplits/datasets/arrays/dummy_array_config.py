"""Config of ``DummyArray``, a test fixture."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class DummyArrayConfig(ArrayConfig):
    """A (100, 50, 50) array of zeros; never valid, for tests only."""

    array_type = runtime_type(".dummy_array.DummyArray")
    # a test fixture: never valid (as upstream), yet built without validation
    _fixture = True

    def validate(self) -> None:
        raise ConfigError("This is a DummyArrayConfig and is never valid")
