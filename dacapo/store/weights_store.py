"""Model and optimizer weights stored per run and iteration: the interface."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any, ContextManager, Dict, List, Optional

from dacapo.errors import ConfigError

__all__ = ["Weights", "WeightsStore"]

_SHOWN = 3  # differences between a checkpoint and a model named per kind


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
        """Loads the checkpoint of ``iteration`` into ``run.model`` and ``run.optimizer``.

        A checkpoint that does not fit the run's model or optimizer (its config
        was changed under the same name) raises a ``ConfigError`` naming the
        run, the checkpoint and the choices.
        """
        weights = self.retrieve_weights(run.name, iteration)
        self.load_model_state(run.model, weights.model, run.name, iteration)
        try:
            optimizer = weights.optimizer
            reorder = getattr(run.model, "optimizer_state_for", None)  # a dacapo Model
            if reorder is not None:
                optimizer = reorder(weights.model, optimizer)
            run.optimizer.load_state_dict(optimizer)
        except (ValueError, KeyError, IndexError, TypeError, RuntimeError) as error:
            raise self._mismatch(
                run.name, iteration, f"the optimizer state does not fit: {error}"
            ) from None

    def load_model_state(
        self, model: Any, state: Dict[str, Any], run_name: str, iteration: int
    ) -> None:
        """``model.load_state_dict(state)`` for the checkpoint of ``iteration``; a
        ``ConfigError`` listing the differences when they do not fit."""
        try:
            model.load_state_dict(state)  # a dacapo Model renames upstream DaCapo's keys
        except RuntimeError as error:
            difference = _state_difference(model, state) or str(error).splitlines()[0]
            raise self._mismatch(run_name, iteration, difference) from None

    def checkpoint_location(self, run_name: str, iteration: int) -> str:
        """Where the checkpoint of ``iteration`` is (for messages)."""
        return f"of iteration {iteration} in {self!r}"

    def checkpoints_location(self, run_name: str) -> str:
        """Where the checkpoints of ``run_name`` are (for messages)."""
        return f"{self!r}"

    def training_lock(self, run_name: str) -> ContextManager[None]:
        """A context in which this process alone trains ``run_name`` (by
        default none: stores without a lock let any process in)."""
        return contextlib.nullcontext()

    def _mismatch(self, run_name: str, iteration: int, difference: str) -> ConfigError:
        """The error for a checkpoint that does not fit the run's model or optimizer."""
        return ConfigError(
            f"run {run_name!r}: checkpoint {self.checkpoint_location(run_name, iteration)} does "
            f"not fit the model and optimizer built from the run's config ({difference}); "
            "the architecture, task or trainer was probably changed under the same run name. "
            "Store the changed config under a new run name, or delete the checkpoints under "
            f"{self.checkpoints_location(run_name)} to train run {run_name!r} afresh"
        )

    def load_best(self, run: Any, dataset: str, criterion: str) -> int:
        """Loads the best checkpoint for ``dataset`` and ``criterion``; returns its iteration."""
        iteration = self.retrieve_best(run.name, dataset, criterion)
        self.load_weights(run, iteration)
        return iteration

    @abstractmethod
    def latest_iteration(self, run_name: str) -> Optional[int]:
        """The highest stored iteration of ``run_name``, None when there is none."""

    @abstractmethod
    def iterations(self, run_name: str) -> List[int]:
        """The stored iterations of ``run_name``, ascending (maybe none)."""

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


def _state_difference(model: Any, state: Dict[str, Any]) -> str:
    """The keys and shapes in which ``state`` and ``model.state_dict()`` differ, in words."""
    ours = {key: tuple(getattr(v, "shape", ())) for key, v in model.state_dict().items()}
    theirs = {key: tuple(getattr(v, "shape", ())) for key, v in state.items()}
    missing = [key for key in ours if key not in theirs]
    unexpected = [key for key in theirs if key not in ours]
    shapes = [f"{key}: checkpoint {theirs[key]}, model {ours[key]}"
              for key in ours if key in theirs and ours[key] != theirs[key]]
    parts = [
        f"{what} {', '.join(items[:_SHOWN])}" + (f" and {len(items) - _SHOWN} more"
                                                  if len(items) > _SHOWN else "")
        for what, items in (("shapes differ:", shapes), ("missing in the checkpoint:", missing),
                            ("not in the model:", unexpected))
        if items
    ]
    return "; ".join(parts)
