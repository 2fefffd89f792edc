"""Experiments: data, models, tasks, trainers and runs.

The names below load on first use, so that importing a config package does
not import torch.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "Model": "dacapo.experiments.model",
    "Run": "dacapo.experiments.run",
    "RunConfig": "dacapo.experiments.run_config",
    "TrainingIterationStats": "dacapo.experiments.training_iteration_stats",
    "TrainingStats": "dacapo.experiments.training_stats",
    "ValidationIterationScores": "dacapo.experiments.validation_iteration_scores",
    "ValidationScores": "dacapo.experiments.validation_scores",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
