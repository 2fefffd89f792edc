"""Config of a start from a pretrained COSEM model."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import attr

from dacapo._build import runtime_type
from dacapo._checks import to_path
from dacapo.errors import ConfigError

from .start_config import StartConfig


@attr.s
class CosemStartConfig(StartConfig):
    """Initialise a run from a pretrained COSEM network.

    ``run`` is the COSEM setup (e.g. ``"setup04"``) and ``criterion`` its
    checkpoint iteration (e.g. ``"1820500"``). The checkpoint is read from
    ``weights_file``; dacapo does not download it.
    """

    start_type = runtime_type(".cosem_start.CosemStart")

    name: Optional[str] = attr.ib(
        default=None,
        metadata={"help_text": "Name of this pretrained model in messages; "
                  "defaults to '<run>/<criterion>'."},
    )
    weights_file: Optional[Path] = attr.ib(
        default=None,
        converter=to_path,  # None stays None
        metadata={"help_text": "Local checkpoint file: a model state dict, or a dict "
                  "with the state dict under 'model'."},
    )
    channels: Optional[List[str]] = attr.ib(
        default=None,
        kw_only=True,
        metadata={"help_text": "Channel names of the pretrained head, in order; "
                  "enables head matching by name."},
    )

    def check_values(self) -> None:
        if self.channels is None:
            return
        names = self.channels
        if not names or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(
                f"CosemStartConfig {self.run!r}: channels must be a non-empty list of "
                f"channel names, got {names!r}"
            )
        if len(set(names)) != len(names):
            raise ConfigError(
                f"CosemStartConfig {self.run!r}: channels {names!r} repeat a name; "
                "each output channel needs its own name"
            )
