"""Checkpoints as files: ``<basedir>/<run>/checkpoints/iterations/<iteration>``.

A checkpoint is a dict ``{"model", "optimizer", "iteration",
"dacapo_version"}`` written with ``torch.save`` and read with
``weights_only=True`` (no pickled objects). The best iteration per dataset
and criterion is ``{"iteration": n}`` in
``<run>/checkpoints/best/<dataset>/<criterion>.json``, written and read at
that one place.
"""

from __future__ import annotations

import contextlib
import json
import logging
import numbers
import pickle
from pathlib import Path
from typing import Any, List, Optional

from dacapo.errors import ConfigError, NoSuchCheckpointError, StoreError
from dacapo.store._files import as_path, atomic_write, atomic_write_text, safe_name
from dacapo.store.weights_store import Weights, WeightsStore

logger = logging.getLogger(__name__)

__all__ = ["LocalWeightsStore"]


class LocalWeightsStore(WeightsStore):
    """Checkpoints under ``<basedir>/<run>/checkpoints/``.

    Args:
        basedir: Usually ``runs_base_dir``; may be a URL such as ``s3://...``.
    """

    def __init__(self, basedir: Any):
        self.basedir = as_path(basedir)

    def __repr__(self) -> str:
        return f"LocalWeightsStore({str(self.basedir)!r})"

    def latest_iteration(self, run_name: str) -> Optional[int]:
        iterations = self._iterations(run_name)
        return iterations[-1] if iterations else None

    def store_weights(self, run: Any, iteration: int) -> None:
        import torch

        from dacapo import __version__

        checkpoint = {
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "iteration": _check_iteration(iteration),
            "dacapo_version": __version__,
        }
        path = self._iteration_file(run.name, iteration)
        atomic_write(path, lambda stream: torch.save(checkpoint, stream))
        logger.info("stored weights of run %r, iteration %d in %s", run.name, iteration, path)

    def retrieve_weights(self, run_name: str, iteration: int) -> Weights:
        path = self._iteration_file(run_name, iteration)
        if not path.is_file():
            raise NoSuchCheckpointError(
                f"run {run_name!r} has no checkpoint of iteration {iteration} ({path}); "
                f"stored iterations: {_few(self._iterations(run_name))}"
            )
        checkpoint = _load(path)
        return Weights(checkpoint["model"], checkpoint["optimizer"])

    def remove(self, run_name: str, iteration: int) -> None:
        path = self._iteration_file(run_name, iteration)
        if not path.is_file():
            raise NoSuchCheckpointError(
                f"cannot remove iteration {iteration} of run {run_name!r}: no checkpoint "
                f"at {path}; stored iterations: {_few(self._iterations(run_name))}"
            )
        path.unlink()

    def store_best(self, run_name: str, iteration: int, dataset: str, criterion: str) -> None:
        path = self._best_file(run_name, dataset, criterion)
        atomic_write_text(path, json.dumps({"iteration": _check_iteration(iteration)}))

    def retrieve_best(self, run_name: str, dataset: Optional[str], criterion: str) -> int:
        """The best iteration for ``dataset`` and ``criterion``.

        With ``dataset=None`` the one dataset that has a best iteration for
        ``criterion`` is used (a ``ConfigError`` if there are several).
        """
        if dataset is None:
            dataset = self._only_dataset(run_name, criterion)
        path = self._best_file(run_name, dataset, criterion)
        if not path.is_file():
            raise NoSuchCheckpointError(
                f"run {run_name!r} has no best iteration for dataset {dataset!r} and "
                f"criterion {criterion!r} ({path}); store_best records one during validation"
            )
        try:
            iteration = json.loads(path.read_text(encoding="utf-8"))["iteration"]
            return _check_iteration(iteration)
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(
                f"best-iteration file {path} cannot be read ({error!r}); expected "
                '{"iteration": <int>}; fix or delete it'
            ) from error

    def _checkpoints(self, run_name: str) -> Path:
        return self.basedir / safe_name("run", run_name) / "checkpoints"

    def _iteration_file(self, run_name: str, iteration: int) -> Path:
        return self._checkpoints(run_name) / "iterations" / str(_check_iteration(iteration))

    def _best_file(self, run_name: str, dataset: str, criterion: str) -> Path:
        best = self._checkpoints(run_name) / "best" / safe_name("dataset", dataset)
        return best / f"{safe_name('criterion', criterion)}.json"

    def _iterations(self, run_name: str) -> List[int]:
        folder = self._checkpoints(run_name) / "iterations"
        if not folder.is_dir():
            return []
        return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit())

    def _only_dataset(self, run_name: str, criterion: str) -> str:
        """The dataset of the single best file for ``criterion``."""
        best = self._checkpoints(run_name) / "best"
        file_name = f"{safe_name('criterion', criterion)}.json"
        datasets = sorted(p.parent.name for p in best.glob(f"*/{file_name}"))
        if len(datasets) == 1:
            return datasets[0]
        if not datasets:
            raise NoSuchCheckpointError(
                f"run {run_name!r} has no best iteration for criterion {criterion!r} "
                f"on any dataset (looked in {best})"
            )
        raise ConfigError(
            f"run {run_name!r} has best iterations for criterion {criterion!r} on several "
            f"datasets {datasets}; name the dataset"
        )


def _load(path: Path) -> dict:
    """The checkpoint dict in ``path``, tensors on the CPU.

    Upstream DaCapo pickles a ``dacapo.store.weights_store.Weights`` object
    instead of a dict; that one class is allowed (``weights_only`` still
    refuses every other object) and read as ``{"model", "optimizer"}``.
    """
    import torch

    try:
        with path.open("rb") as stream, _weights_allowed(torch):
            checkpoint = torch.load(stream, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as error:
        raise StoreError(
            f"checkpoint {path} cannot be read as a dacapo checkpoint dict ({error}); "
            "it may be damaged, or a pickled object other than upstream DaCapo's Weights, "
            "which is not loaded for safety (weights_only=True)"
        ) from error
    if isinstance(checkpoint, Weights):  # written by upstream DaCapo
        checkpoint = {"model": checkpoint.model, "optimizer": checkpoint.optimizer}
    if not isinstance(checkpoint, dict) or not {"model", "optimizer"} <= set(checkpoint):
        raise StoreError(
            f"checkpoint {path}: expected a dict with 'model' and 'optimizer' state dicts, "
            f"got {type(checkpoint).__name__}"
            + (f" with keys {sorted(checkpoint)}" if isinstance(checkpoint, dict) else "")
        )
    return checkpoint


def _weights_allowed(torch):
    """A context in which ``torch.load(weights_only=True)`` may build ``Weights``."""
    safe_globals = getattr(torch.serialization, "safe_globals", None)  # torch >= 2.5
    return safe_globals([Weights]) if safe_globals else contextlib.nullcontext()


def _check_iteration(iteration: Any) -> int:
    """``iteration`` as an int; ``ConfigError`` unless it is a whole number >= 0."""
    if isinstance(iteration, bool) or not isinstance(iteration, numbers.Integral) or iteration < 0:
        raise ConfigError(f"iteration: expected a whole number >= 0, got {iteration!r}")
    return int(iteration)


def _few(values: List[int], limit: int = 10) -> str:
    """Up to ``limit`` values for a message."""
    if not values:
        return "none"
    shown = ", ".join(str(v) for v in values[-limit:])
    return shown if len(values) <= limit else f"... {shown} ({len(values)} in all)"
