"""Training: ``train(run_name)`` and ``train_run(run)``.

``train_run`` is a short sequence of steps: take the run's lock, resume
from the newest checkpoint that loads (a damaged one is skipped with a
warning), pick the device, then train in chunks of ``validation_interval``
iterations; after each chunk (and at the end) the training stats and a
checkpoint are stored and the validation hook runs. Checkpoint ``n`` holds
the weights after ``n`` iterations; the stats hold one record per iteration
``0 .. n - 1``. An interrupt (Ctrl-C) finishes the current iteration, stores
stats and a checkpoint, and re-raises ``KeyboardInterrupt``.

The loss and learning rate of each iteration, and the validation scores,
also go to the experiment trackers the options ask for (TensorBoard event
files under the run's directory, MLflow; see ``dacapo.tracking``). A tracker
that fails is switched off; it never stops training.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, List, Set

from dacapo._callable_module import make_module_callable

if TYPE_CHECKING:
    import torch

    from dacapo.experiments.run import Run
    from dacapo.store.stats_store import StatsStore
    from dacapo.store.weights_store import WeightsStore
    from dacapo.tracking import RunTracker

logger = logging.getLogger(__name__)

__all__ = ["train", "train_run"]

ValidateHook = Callable[["Run", int], None]


def validate_if_available(run: "Run", iteration: int) -> None:
    """The default validation hook: ``dacapo.validate.validate_run`` when the run
    has validation datasets with ground truth; otherwise it says so (once per
    run) and skips."""
    from dacapo.validate import validate_run, validation_datasets

    if not validation_datasets(run):
        if run.name not in _SAID_NO_VALIDATION:
            _SAID_NO_VALIDATION.add(run.name)
            logger.warning(
                "run %r: no validation dataset with ground truth in datasplit %r; training "
                "goes on without validation (add validation datasets with gt to validate)",
                run.name, getattr(run.datasplit, "name", None),
            )
        return
    validate_run(run, iteration)


# the runs ``validate_if_available`` said it cannot validate (it says so once)
_SAID_NO_VALIDATION: Set[str] = set()


def train(
    run_name: str, do_validate: bool = True, validate_hook: ValidateHook = validate_if_available
) -> None:
    """Trains the run stored as ``run_name`` in the config store (resuming it)."""
    from dacapo.experiments.run import Run
    from dacapo.store.create_store import create_config_store

    run_config = create_config_store().retrieve_run_config(run_name)
    train_run(Run(run_config), do_validate=do_validate, validate_hook=validate_hook)


def train_run(
    run: "Run", do_validate: bool = True, validate_hook: ValidateHook = validate_if_available
) -> None:
    """Trains ``run`` up to ``run.train_until`` iterations, resuming from the
    newest stored checkpoint that loads.

    Only one process trains a run at a time: the weights store's lock names
    the holder to a second one (``StoreError``) and is released however
    training ends.

    Args:
        do_validate: Call ``validate_hook(run, iteration)`` after each checkpoint.
        validate_hook: What validation means; by default ``validate_run``.
    """
    from dacapo.store.create_store import create_stats_store, create_weights_store

    stats_store, weights_store = create_stats_store(), create_weights_store()
    with weights_store.training_lock(run.name):
        stats_store.remove_partial_writes(run.name)
        _train_locked(run, stats_store, weights_store, do_validate, validate_hook)


def _train_locked(run: "Run", stats_store: "StatsStore", weights_store: "WeightsStore",
                  do_validate: bool, validate_hook: ValidateHook) -> None:
    """``train_run`` once the run's lock is held."""
    from dacapo.tracking import create_tracker

    start = resume(run, stats_store, weights_store)
    if start >= run.train_until:
        logger.info("run %r is trained until iteration %d already", run.name, start)
        return
    device = _device()
    logger.info("run %r: training from iteration %d to %d on %s", run.name, start,
                run.train_until, device)
    run.model.to(device)
    run.move_optimizer(device)
    run.trainer.device = device
    _prepare_batches(run)
    with create_tracker(run, start) as tracker:
        try:
            _train_loop(run, stats_store, weights_store, device, do_validate, validate_hook,
                        tracker)
        except KeyboardInterrupt:
            logger.warning("run %r interrupted; saving a checkpoint", run.name)
            _save_interrupted(run, stats_store, weights_store)
            raise
    logger.info("run %r trained until iteration %d", run.name, run.trainer.iteration)


def resume(run: "Run", stats_store: "StatsStore", weights_store: "WeightsStore") -> int:
    """Loads the newest checkpoint that loads, and the stats and scores up to it
    (the stored ones are truncated to match); returns its iteration (0 without
    one)."""
    latest = _load_newest_checkpoint(run, weights_store)
    run.trainer.iteration = latest
    _resume_stats(run, stats_store, latest)
    _resume_scores(run, stats_store, latest)
    return latest


def _load_newest_checkpoint(run: "Run", weights_store: "WeightsStore") -> int:
    """Loads the newest checkpoint after iteration 0 that can be read; damaged
    ones are skipped with a warning. A checkpoint that does not fit the run
    (``ConfigError``) is raised, not skipped."""
    from dacapo.errors import StoreError

    damaged = 0
    for iteration in reversed(weights_store.iterations(run.name)):
        if iteration == 0:
            break
        try:
            weights_store.load_weights(run, iteration)
        except StoreError as error:
            damaged += 1
            logger.warning("run %r: %s; trying the checkpoint before it", run.name, error)
            continue
        logger.info("run %r resumes from its checkpoint of iteration %d", run.name, iteration)
        return iteration
    if damaged:
        logger.warning("run %r: none of its %d checkpoints can be read; training starts "
                       "afresh from iteration 0", run.name, damaged)
    return 0


def _resume_stats(run: "Run", stats_store: "StatsStore", latest: int) -> None:
    stats = stats_store.retrieve_training_stats(run.name)
    if stats.trained_until() < latest:
        logger.warning(
            "run %r: stored training stats end at iteration %d but the checkpoint is of "
            "iteration %d; the stats of the iterations in between are missing",
            run.name, stats.trained_until(), latest,
        )
    if stats.trained_until() > latest:
        stats.delete_after(latest)
        stats_store.store_training_stats(run.name, stats)  # drops the stored rest
    run.training_stats = stats


def _resume_scores(run: "Run", stats_store: "StatsStore", latest: int) -> None:
    from dacapo.errors import ConfigError

    stored = stats_store.retrieve_validation_iteration_scores(run.name)
    try:
        for scores in stored:
            if scores.iteration <= latest:
                run.validation_scores.add_iteration_scores(scores)
    except ConfigError as error:
        logger.warning("run %r: the stored validation scores do not fit its validation "
                       "datasets and post-processing parameters (%s); not loaded", run.name, error)
        return
    if any(scores.iteration > latest for scores in stored):
        stats_store.store_validation_iteration_scores(run.name, run.validation_scores)


def _device() -> "torch.device":
    import torch

    if torch.cuda.is_available():
        torch.backends.cudnn.benchmark = True
        return torch.device("cuda")
    return torch.device("cpu")


def _prepare_batches(run: "Run") -> None:
    """Describes the training batches; snapshots go to the run's snapshot container."""
    from dacapo.errors import ConfigError
    from dacapo.store.create_store import create_array_store

    if not run.trainer.can_train(run.datasplit.train):
        raise ConfigError(
            f"run {run.name!r}: trainer {run.trainer.name!r} ({type(run.trainer).__name__}) "
            f"cannot train on the datasets {[d.name for d in run.datasplit.train]} of its "
            "datasplit; every training dataset needs ground truth"
        )
    snapshots = create_array_store().snapshot_container(run.name)
    run.trainer.build_batch_provider(run.datasplit.train, run.model, run.task, snapshots)


def _train_loop(run, stats_store, weights_store, device, do_validate, validate_hook,
                tracker: "RunTracker") -> None:
    """Trains chunk by chunk; after each chunk saves, then validates."""
    from tqdm import tqdm

    trainer = run.trainer
    with trainer, _deferred_interrupts() as interrupted, tqdm(
        total=run.train_until, initial=trainer.iteration, desc=run.name, unit="it"
    ) as bar:
        while trainer.iteration < run.train_until:
            if interrupted():  # e.g. during validation
                raise KeyboardInterrupt
            stop = _next_stop(trainer.iteration, run.validation_interval, run.train_until)
            for stats in trainer.iterate(stop - trainer.iteration, run.model, run.optimizer,
                                         device):
                run.training_stats.add_iteration_stats(stats)
                tracker.log_training(stats.iteration, stats.loss,
                                     _learning_rate(run, stats.iteration))
                bar.update(1)
                bar.set_postfix(loss=f"{stats.loss:.4g}", refresh=False)
                if interrupted():
                    raise KeyboardInterrupt
            _save(run, stats_store, weights_store, trainer.iteration)
            tracker.flush()
            if do_validate:
                validate_hook(run, trainer.iteration)
                _store_scores(run, stats_store)
                tracker.log_validation(run.validation_scores, trainer.iteration)
                tracker.flush()


def _learning_rate(run: "Run", iteration: int) -> float:
    """The learning rate of training ``iteration``: the trainer's schedule
    (``learning_rate * lr_factor(iteration)``) where it has one, else the
    optimizer's current rate."""
    trainer = run.trainer
    factor = getattr(trainer, "lr_factor", None)
    if callable(factor) and isinstance(getattr(trainer, "learning_rate", None), (int, float)):
        return float(trainer.learning_rate * factor(iteration))
    return float(run.optimizer.param_groups[0]["lr"])


def _next_stop(iteration: int, interval: int, train_until: int) -> int:
    """The next multiple of ``interval`` after ``iteration``, at most ``train_until``."""
    return min((iteration // interval + 1) * interval, train_until)


def _save(run, stats_store, weights_store, iteration: int) -> None:
    """Stats first, then weights: a crash in between leaves the stats ahead of the
    checkpoint, which resuming truncates, never a gap."""
    stats_store.store_training_stats(run.name, run.training_stats)
    weights_store.store_weights(run, iteration)


def _store_scores(run, stats_store) -> None:
    if run.validation_scores.scores:
        stats_store.store_validation_iteration_scores(run.name, run.validation_scores)


def _save_interrupted(run, stats_store, weights_store) -> None:
    """Saves at the last iteration that has both stats and weights (the stats
    of steps taken but not yet reported by the trainer included)."""
    for stats in getattr(run.trainer, "unreported", list)():
        run.training_stats.add_iteration_stats(stats)
    iteration = min(run.trainer.iteration, run.training_stats.trained_until())
    run.training_stats.delete_after(iteration)
    if iteration > 0:
        _save(run, stats_store, weights_store, iteration)


@contextmanager
def _deferred_interrupts() -> Iterator[Callable[[], bool]]:
    """Turns the first Ctrl-C into a flag checked between iterations (a second
    one interrupts at once). Only in the main thread, where signals arrive."""
    received: List[int] = []  # the signal numbers seen
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        if received:
            raise KeyboardInterrupt
        received.append(signum)
        logger.warning("interrupt received: saving after this iteration "
                       "(press Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous)


# ``dacapo.train(run_name)`` keeps working after ``import dacapo.train``
make_module_callable(__name__)
