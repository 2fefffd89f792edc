"""A run: everything a ``RunConfig`` describes, built and ready to train."""

from __future__ import annotations

import logging
from typing import Any, List

import torch

from dacapo._build import build
from dacapo.experiments.training_stats import TrainingStats
from dacapo.experiments.validation_scores import ValidationScores

logger = logging.getLogger(__name__)


class Run:
    """Builds the task, architecture, trainer, datasplit, model and optimizer of a run.

    The model is the task's head on the architecture; with a ``start_config``
    it starts from another run's weights (head channels matched by name).
    ``training_stats`` and ``validation_scores`` start empty; training fills
    them (and resumes them from the stores).
    """

    def __init__(self, run_config):
        self.name: str = run_config.name
        self.train_until: int = run_config.num_iterations
        self.validation_interval: int = run_config.validation_interval
        self.task = build(run_config.task_config)
        self.architecture = build(run_config.architecture_config)
        self.trainer = build(run_config.trainer_config)
        self.datasplit = build(run_config.datasplit_config)
        self.model = self.task.create_model(self.architecture)
        self.start = None
        if run_config.start_config is not None:
            self.start = build(run_config.start_config)
            self.start.initialize_weights(self.model, new_head=self.task.channels)
        self.optimizer = self.trainer.create_optimizer(self.model)
        self.training_stats = TrainingStats()
        self.validation_scores = self._empty_scores(self.task, self.datasplit)

    def __repr__(self) -> str:
        return f"Run({self.name!r}, train_until={self.train_until})"

    @staticmethod
    def _empty_scores(task, datasplit) -> ValidationScores:
        return ValidationScores(
            task.parameters, list(datasplit.validate or []), task.evaluation_scores
        )

    @staticmethod
    def get_validation_scores(run_config) -> ValidationScores:
        """Empty validation scores of ``run_config``'s task and validation datasets,
        without building the model."""
        task = build(run_config.task_config)
        datasplit = build(run_config.datasplit_config)
        return Run._empty_scores(task, datasplit)

    def move_optimizer(self, device: Any, empty_cuda_cache: bool = False) -> None:
        """Moves the optimizer's state tensors (e.g. moment estimates) to ``device``."""
        device = torch.device(device)
        for state in self.optimizer.state.values():
            for key, value in state.items():
                if torch.is_tensor(value) and key != "step":
                    state[key] = value.to(device)
        if empty_cuda_cache and torch.cuda.is_available():
            torch.cuda.empty_cache()

    @property
    def validation_datasets(self) -> List[Any]:
        """The datasets validation runs on (possibly none)."""
        return list(self.datasplit.validate or [])

