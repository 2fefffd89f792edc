"""Freezing the parameters of a pretrained module by name."""

from __future__ import annotations

import re
from typing import Optional

import torch

from dacapo.errors import ConfigError


def freeze_parameters(module: torch.nn.Module, pattern: Optional[str], owner: str) -> None:
    """Keeps parameters whose names match ``pattern`` trainable and freezes the
    rest; ``None`` leaves every flag as it is."""
    if pattern is None:
        return
    names = [name for name, _ in module.named_parameters()]
    matching = [name for name in names if re.search(pattern, name)]
    if names and not matching:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ConfigError(
            f"{owner}: the trainable-parameter pattern {pattern!r} matches none of the "
            f"{len(names)} parameters ({shown}); every parameter would be frozen"
        )
    trainable = set(matching)
    for name, parameter in module.named_parameters():
        parameter.requires_grad_(name in trainable)
