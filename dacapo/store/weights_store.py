"""Model and optimizer weights stored per run and iteration: the interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, Optional

__all__ = ["Weights", "WeightsStore"]


class Weights:
    """The state dicts of a model and its optimizer."""

    def __init__(self, model: Dict[str, Any], optimizer: Dict[str, Any]):
        self.model = model
        self.optimizer = optimizer

    def __repr__(self) -> str:
        return f"Weights(model=<{len(self.model)} tensors>, optimizer=<state dict>)"


class WeightsStore(ABC):
    """Stores checkpoints of runs and which iteration is best per dataset and criterion.

    ``run`` arguments are runs (anything with ``name``, ``model`` and
    ``optimizer``); ``run_name`` arguments are names.
    """

    def load_weights(self, run: Any, iteration: int) -> None:
        """Loads the checkpoint of ``iteration`` into ``run.model`` and ``run.optimizer``."""
        weights = self.retrieve_weights(run.name, iteration)
        run.model.load_state_dict(weights.model)  # renames upstream DaCapo's keys
        optimizer = weights.optimizer
        reorder = getattr(run.model, "optimizer_state_for", None)  # a dacapo Model
        if reorder is not None:
            optimizer = reorder(weights.model, optimizer)
        run.optimizer.load_state_dict(optimizer)

    def load_best(self, run: Any, dataset: str, criterion: str) -> int:
        """Loads the best checkpoint for ``dataset`` and ``criterion``; returns its iteration."""
        iteration = self.retrieve_best(run.name, dataset, criterion)
        self.load_weights(run, iteration)
        return iteration

    @abstractmethod
    def latest_iteration(self, run_name: str) -> Optional[int]:
        """The highest stored iteration of ``run_name``, None when there is none."""

    @abstractmethod
    def store_weights(self, run: Any, iteration: int) -> None:
        """Stores the current state of ``run.model`` and ``run.optimizer`` as ``iteration``."""

    @abstractmethod
    def retrieve_weights(self, run_name: str, iteration: int) -> Weights:
        """The checkpoint of ``iteration`` (``NoSuchCheckpointError`` if none)."""

    @abstractmethod
    def remove(self, run_name: str, iteration: int) -> None:
        """Deletes the checkpoint of ``iteration`` (``NoSuchCheckpointError`` if none)."""

    @abstractmethod
    def store_best(self, run_name: str, iteration: int, dataset: str, criterion: str) -> None:
        """Records ``iteration`` as the best for ``dataset`` and ``criterion``."""

    @abstractmethod
    def retrieve_best(self, run_name: str, dataset: Optional[str], criterion: str) -> int:
        """The iteration recorded by ``store_best`` (``NoSuchCheckpointError`` if none)."""
