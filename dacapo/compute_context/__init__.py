"""Where blockwise workers run and on which device: ``create_compute_context()``
builds the context the options name (``compute_context: {type: LocalTorch,
config: {...}}``)."""

from ._create import create_compute_context
from .bsub import Bsub
from .compute_context import CommandError, ComputeContext
from .local_torch import LocalTorch
from .slurm import Slurm

__all__ = ["Bsub", "ComputeContext", "CommandError", "LocalTorch", "Slurm",
           "create_compute_context"]
