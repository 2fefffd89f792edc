"""Where blockwise workers run and on which device: ``create_compute_context()``
builds the context the options name (``compute_context: {type: LocalTorch,
config: {...}}``)."""

from ._create import create_compute_context
from .compute_context import CommandError, ComputeContext
from .local_torch import LocalTorch

__all__ = ["ComputeContext", "CommandError", "LocalTorch", "create_compute_context"]
