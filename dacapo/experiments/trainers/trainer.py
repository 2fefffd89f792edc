"""The ``Trainer`` interface: batches, optimizer and the training step."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch

from dacapo.experiments.training_iteration_stats import TrainingIterationStats

from ._batch_feeder import Prepare, feed, training_stream

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
        self._scaler: Optional[Any] = None  # torch.amp.GradScaler, made on first use
        self._unreported: List[Tuple[int, torch.Tensor]] = []
        #: the tensors of the latest training step (``raw``, ``target``, ...)
        self.step_tensors: Dict[str, torch.Tensor] = {}
        #: the device training runs on, when known before the batches are built
        #: (``train_run`` sets it); trainers may prepare batches for it
        self.device: Optional[torch.device] = None

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

    def prepare_on_device(self, device: torch.device) -> Optional[Prepare]:
        """What turns a batch's tensors on ``device`` into the step's (``raw``,
        ``target``, ``weight``), for trainers whose batches carry ``gt`` and
        ``mask`` instead of a target; None (the default): batches carry the target."""
        return None

    def after_step(  # noqa: B027 - optional hook
        self, iteration: int, batch: Dict[str, np.ndarray], prediction: torch.Tensor
    ) -> None:
        """Called after the optimisation step of ``iteration`` (e.g. for snapshots);
        ``step_tensors`` then holds the step's tensors (on the device when they
        were prepared there)."""

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        return None

    # -- the training loop -----------------------------------------------------

    def next_batch_at(self, iteration: int) -> Dict[str, np.ndarray]:
        """The batch of training ``iteration``; trainers whose batches depend on
        the iteration (a seed) override this, the others make the next batch."""
        return self.next_batch()

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
        ``iteration`` counts the steps taken. On the CPU each record is yielded
        right after its step. On a GPU batches are made and copied ahead, and a
        record is yielded once the next step is queued, so reading its loss does
        not leave the GPU idle; the last one comes after the last step. Records
        not yet yielded when the loop is left early are in ``unreported()``.
        On a GPU the steps run on a high-priority stream (``training_stream``),
        current while this generator is suspended too (the caller's work
        between two steps is ordered after the step).
        """
        device = torch.device(device)
        scheduler = self._position_scheduler(optimizer)
        model.train()
        lag = _report_lag(device)
        self._unreported = []
        start = time.time()
        with training_stream(device):
            batches = feed(self.next_batch_at, self.iteration, num_iterations, device,
                           prepare=self.prepare_on_device(device))
            for batch, tensors in batches:
                loss, prediction = self._step(model, optimizer, tensors, device)
                scheduler.step()
                self.step_tensors = tensors
                self.after_step(self.iteration, batch, prediction)
                self._unreported.append((self.iteration, loss))
                self.iteration += 1
                while len(self._unreported) > lag:
                    stats = self._report(start)
                    start = time.time()
                    yield stats
            while self._unreported:
                yield self._report(start)

    def unreported(self) -> List[TrainingIterationStats]:
        """The stats of steps taken but not yet yielded by ``iterate`` (on a GPU
        the last step's, when the loop was left early); clears them."""
        records = []
        while self._unreported:
            records.append(self._report(time.time()))
        return records

    def _report(self, start: float) -> TrainingIterationStats:
        iteration, loss = self._unreported.pop(0)
        return TrainingIterationStats(iteration, float(loss.item()), time.time() - start)

    def _step(self, model, optimizer, tensors: Dict[str, torch.Tensor], device):
        """One optimisation step; returns the detached loss and prediction (no host
        synchronisation: the loss stays on the device)."""
        raw = tensors["raw"].to(device).float()  # batches carry raw in its compact type
        if raw.dim() == model.input_shape.dims + 1:  # no channel axis: add one
            raw = raw.unsqueeze(1)
        target = tensors["target"].to(device)
        weight = tensors["weight"].to(device) if "weight" in tensors else None
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
        return loss.detach(), prediction.detach()

    def _compute_loss(self, prediction, target, weight) -> torch.Tensor:
        if self._loss is None:
            raise RuntimeError(  # called out of order: a programming error
                f"trainer {self.name!r}: no loss; call build_batch_provider(datasets, model, "
                "task) before iterate() (the loss is task.loss)"
            )
        return self._loss.compute(prediction, target, weight)


def _report_lag(device: torch.device) -> int:
    """Steps a loss is read behind its step: 1 on a GPU (the next step is queued
    first, so the GPU never waits for the host), 0 elsewhere."""
    return 1 if device.type == "cuda" else 0
