"""A trainer on random noise, for tests and demos."""

from __future__ import annotations

import logging
from typing import Dict, List, Optional

import numpy as np

from .trainer import Trainer

logger = logging.getLogger(__name__)


class DummyTrainer(Trainer):
    """Batches of Gaussian noise of the model's input shape with a zero target
    and unit weights of its output shape; the optimisation steps are real, so
    the loss falls as the model learns to output zeros. Datasets are ignored.
    The learning rate has no warm-up.
    """

    def __init__(self, trainer_config):
        super().__init__(trainer_config, warmup_iterations=0)
        self.mirror_augment = trainer_config.mirror_augment
        self._shapes: Optional[Dict[str, tuple]] = None
        self._rng = np.random.default_rng()

    def build_batch_provider(self, datasets, model, task, snapshot_container=None) -> None:
        """Takes the batch shapes from ``model`` and the loss from ``task``."""
        b = self.batch_size
        self._shapes = {
            "raw": (b, model.num_in_channels) + tuple(model.input_shape),
            "target": (b, model.num_out_channels) + tuple(model.output_shape),
        }
        self._loss = task.loss

    def can_train(self, datasets: List) -> bool:
        """Always: no data is read."""
        return True

    def next_batch(self) -> Dict[str, np.ndarray]:
        if self._shapes is None:
            raise RuntimeError(  # called out of order: a programming error
                f"DummyTrainer {self.name!r}: call build_batch_provider(datasets, model, "
                "task) before asking for batches"
            )
        raw = self._rng.normal(size=self._shapes["raw"]).astype(np.float32)
        if self.mirror_augment:
            for axis in range(2, raw.ndim):
                if self._rng.random() < 0.5:
                    raw = np.flip(raw, axis=axis)
        target = np.zeros(self._shapes["target"], np.float32)
        return {"raw": np.ascontiguousarray(raw), "target": target, "weight": np.ones_like(target)}
