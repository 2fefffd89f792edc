"""Experiments: data, models, tasks, trainers and runs.

The names below load on first use, so that importing a config package does
not import torch.
"""

from __future__ import annotations

from dacapo._lazy import lazy_exports

_LAZY = {
    "Model": "model",
    "Run": "run",
    "RunConfig": "run_config",
    "TrainingIterationStats": "training_iteration_stats",
    "TrainingStats": "training_stats",
    "ValidationIterationScores": "validation_iteration_scores",
    "ValidationScores": "validation_scores",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
