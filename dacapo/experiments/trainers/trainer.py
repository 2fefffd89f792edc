"""The ``Trainer`` interface: batches, optimizer and the training step."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional

import numpy as np
import torch

from dacapo.experiments.training_iteration_stats import TrainingIterationStats

if TYPE_CHECKING:
    from dacapo.experiments.datasplits.datasets.dataset import Dataset
    from dacapo.experiments.model import Model
    from dacapo.experiments.tasks.task import Task
    from dacapo.store.array_identifiers import LocalContainerIdentifier

logger = logging.getLogger(__name__)

#: the learning rate rises linearly from this fraction of ``learning_rate`` ...
WARMUP_START_FACTOR = 0.01
#: ... to the full ``learning_rate`` over this many iterations (default)
WARMUP_ITERATIONS = 1000


class Trainer(ABC):
    """Makes training batches and runs optimisation steps on a model.

    A trainer is used in three steps::

        optimizer = trainer.create_optimizer(model)
        trainer.build_batch_provider(datasets, model, task, snapshot_container)
        with trainer:                       # starts (and later stops) the batch pipeline
            for stats in trainer.iterate(100, model, optimizer, device):
                ...

    ``iteration`` counts the optimisation steps done so far; set it when
    resuming from a checkpoint and the learning-rate schedule continues from
    there. The learning rate warms up linearly from ``WARMUP_START_FACTOR``
    times ``learning_rate`` to ``learning_rate`` over ``warmup_iterations``
    iterations.

    Args:
        mixed_precision: Run forward pass and loss in float16 (``torch.autocast``)
            with gradient scaling when training on CUDA; ignored on the CPU.
        warmup_iterations: Length of the learning-rate warm-up (0: none).
    """

    iteration: int
    batch_size: int
    learning_rate: float

    def __init__(
        self,
        trainer_config,
        *,
        mixed_precision: bool = False,
        warmup_iterations: int = WARMUP_ITERATIONS,
    ):
        self.name = trainer_config.name
        self.batch_size = int(trainer_config.batch_size)
        self.learning_rate = float(trainer_config.learning_rate)
        self.mixed_precision = bool(mixed_precision)
        self.warmup_iterations = int(warmup_iterations)
        self.iteration = 0
        self.scheduler: Optional[torch.optim.lr_scheduler.LambdaLR] = None
        self._loss = None
        self._scaler = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, iteration={self.iteration})"

    # -- optimisation ----------------------------------------------------------

    def create_optimizer(self, model: torch.nn.Module) -> torch.optim.Optimizer:
        """RAdam over the model's parameters with the warm-up schedule
        (kept as ``self.scheduler``, stepped once per iteration)."""
        optimizer = torch.optim.RAdam(model.parameters(), lr=self.learning_rate)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, self.lr_factor)
        return optimizer

    def lr_factor(self, iteration: int) -> float:
        """Learning rate of ``iteration`` as a fraction of ``learning_rate``."""
        if iteration >= self.warmup_iterations:
            return 1.0
        progress = iteration / self.warmup_iterations
        return WARMUP_START_FACTOR + (1.0 - WARMUP_START_FACTOR) * progress

    def _position_scheduler(
        self, optimizer: torch.optim.Optimizer
    ) -> torch.optim.lr_scheduler.LambdaLR:
        """Makes the scheduler (re)start at ``self.iteration`` for ``optimizer``; returns it.

        Uses torch's public API only: unless the scheduler already drives
        ``optimizer`` at ``self.iteration``, a new ``LambdaLR`` is built with
        ``last_epoch``, which sets each group's ``lr`` (and ``get_last_lr()``)
        to the schedule's value at ``self.iteration``, from the groups'
        ``initial_lr`` (``learning_rate`` for an optimizer made elsewhere).
        """
        scheduler = self.scheduler
        if (
            scheduler is not None
            and scheduler.optimizer is optimizer
            and scheduler.last_epoch == self.iteration
        ):
            return scheduler
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", self.learning_rate)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, self.lr_factor, last_epoch=self.iteration - 1
        )
        return self.scheduler

    # -- batches ---------------------------------------------------------------

    @abstractmethod
    def build_batch_provider(
        self,
        datasets: List["Dataset"],
        model: "Model",
        task: "Task",
        snapshot_container: Optional["LocalContainerIdentifier"] = None,
    ) -> None:
        """Prepares the batches of ``datasets`` for ``model`` and ``task`` (the loss
        comes from ``task.loss``); snapshots go to ``snapshot_container``."""

    @abstractmethod
    def can_train(self, datasets: List["Dataset"]) -> bool:
        """Whether this trainer can make batches of ``datasets``."""

    @abstractmethod
    def next_batch(self) -> Dict[str, np.ndarray]:
        """The next batch: ``raw`` ``(b, [c,] *spatial)``, ``target`` and ``weight``
        (shaped as the loss expects), and optionally more arrays (``gt``, ``mask``)."""

    def after_step(  # noqa: B027 - optional hook
        self, iteration: int, batch: Dict[str, np.ndarray], prediction: torch.Tensor
    ) -> None:
        """Called after the optimisation step of ``iteration`` (e.g. for snapshots)."""

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        return None

    # -- the training loop -----------------------------------------------------

    def iterate(
        self,
        num_iterations: int,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        device: Any,
    ) -> Iterator[TrainingIterationStats]:
        """Runs ``num_iterations`` optimisation steps, yielding the stats of each.

        Each step: next batch, forward pass, ``task.loss.compute(prediction,
        target, weight)``, backward pass, optimizer and scheduler step.
        ``iteration`` is increased before each record is yielded.
        """
        device = torch.device(device)
        scheduler = self._position_scheduler(optimizer)
        model.train()
        for _ in range(num_iterations):
            start = time.time()
            batch = self.next_batch()
            loss, prediction = self._step(model, optimizer, batch, device)
            scheduler.step()
            self.after_step(self.iteration, batch, prediction)
            stats = TrainingIterationStats(self.iteration, loss, time.time() - start)
            self.iteration += 1
            yield stats

    def _step(self, model, optimizer, batch, device):
        """One optimisation step; returns the loss value and the detached prediction."""
        dims = model.input_shape.dims
        raw = _tensor(batch["raw"], device, floating=True)
        if raw.dim() == dims + 1:  # no channel axis: add one
            raw = raw.unsqueeze(1)
        target = _tensor(batch["target"], device)
        weight = _tensor(batch["weight"], device) if batch.get("weight") is not None else None
        amp = self.mixed_precision and device.type == "cuda"
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=amp):
            prediction = model(raw)
            loss = self._compute_loss(prediction, target, weight)
        if amp:
            if self._scaler is None:
                self._scaler = torch.amp.GradScaler("cuda")
            self._scaler.scale(loss).backward()
            self._scaler.step(optimizer)
            self._scaler.update()
        else:
            loss.backward()
            optimizer.step()
        return float(loss.detach().item()), prediction.detach()

    def _compute_loss(self, prediction, target, weight) -> torch.Tensor:
        if self._loss is None:
            raise RuntimeError(  # called out of order: a programming error
                f"trainer {self.name!r}: no loss; call build_batch_provider(datasets, model, "
                "task) before iterate() (the loss is task.loss)"
            )
        return self._loss.compute(prediction, target, weight)


def _tensor(array: np.ndarray, device: torch.device, floating: bool = False) -> torch.Tensor:
    """``array`` on ``device``: floats (and booleans) as float32, integers as int64."""
    array = np.asarray(array)
    if floating or array.dtype.kind in "fcb":
        array = array.astype(np.float32, copy=False)
    else:
        array = array.astype(np.int64, copy=False)
    return torch.as_tensor(array, device=device)
