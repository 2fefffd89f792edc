"""Starts: initialising a run from another run's weights."""

from .cosem_start import CosemStart  # noqa: F401
from .cosem_start_config import CosemStartConfig  # noqa: F401
from .start import Start  # noqa: F401
from .start_config import StartConfig  # noqa: F401
