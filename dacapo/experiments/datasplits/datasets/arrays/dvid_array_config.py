"""Config of a DVID volume (needs the optional ``neuclease`` package)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Tuple

import attr

from dacapo._build import runtime_type
from dacapo._checks import as_tuple
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class DVIDArrayConfig(ArrayConfig):
    """A grayscale (``uint8blk``) or ``labelmap`` instance on a DVID server."""

    array_type = runtime_type(".dvid_array.DVIDArray")

    source: Tuple[str, str, str] = attr.ib(
        converter=as_tuple,
        metadata={
            "help_text": "(server, uuid, instance), e.g. "
            "('http://emdata.example.org:8000', 'a1b2c3', 'grayscale')."
        },
    )

    def check_values(self) -> None:
        if len(self.source) != 3 or not all(isinstance(s, str) and s for s in self.source):
            raise ConfigError(
                f"DVIDArrayConfig {self.name!r}: source {self.source!r} should be three "
                "non-empty strings (server, uuid, instance)"
            )

    def validate(self) -> None:
        """The fields, and that the optional package ``neuclease`` is installed."""
        super().validate()
        where = f"DVIDArrayConfig {self.name!r}"
        if not _neuclease_installed():
            raise ConfigError(
                f"{where}: reading from DVID needs the optional package 'neuclease', "
                "which is not installed (conda install -c flyem-forge neuclease), and "
                "a reachable DVID server"
            )


def _neuclease_installed() -> bool:
    if "neuclease" in sys.modules:  # imported already, or blocked with None
        return sys.modules["neuclease"] is not None
    return importlib.util.find_spec("neuclease") is not None
