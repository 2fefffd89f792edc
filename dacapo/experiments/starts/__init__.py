"""Starts: initialising a run from another run's weights."""

from .cosem_start import CosemStart
from .cosem_start_config import CosemStartConfig
from .start import Start
from .start_config import StartConfig

__all__ = [
    "CosemStart",
    "CosemStartConfig",
    "Start",
    "StartConfig",
]
