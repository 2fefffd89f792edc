"""Checkpoints as files: ``<basedir>/<run>/checkpoints/iterations/<iteration>``.

A checkpoint is a dict ``{"model", "optimizer", "iteration",
"dacapo_version"}`` written with ``torch.save`` and read with
``weights_only=True`` (no pickled objects). Beside each one,
``<run>/checkpoints/records/<iteration>.json`` records its size and sha256
(see ``dacapo.store._checkpoint_records``), so damage is found before torch
reads the file. The best iteration per dataset and criterion is
``{"iteration": n}`` in ``<run>/checkpoints/best/<dataset>/<criterion>.json``,
written and read at that one place. ``training_lock`` keeps a second trainer
out of the run's directory (``<run>/training.lock``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import numbers
import re
from pathlib import Path
from typing import Any, Iterator, List, Optional

from dacapo.errors import ConfigError, NoSuchCheckpointError, StoreError
from dacapo.store._checkpoint_records import (
    read_checkpoint,
    record_of,
    verify_against_record,
    write_record,
)
from dacapo.store._files import (
    as_path,
    atomic_write,
    atomic_write_text,
    is_local,
    safe_name,
)
from dacapo.store._run_lock import run_lock
from dacapo.store.weights_store import Weights, WeightsStore

logger = logging.getLogger(__name__)

__all__ = ["LocalWeightsStore"]

# the temporary files of ``atomic_write`` (``.<name>.<8 random characters>.tmp``)
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


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

    def iterations(self, run_name: str) -> List[int]:
        return self._iterations(run_name)

    def store_weights(self, run: Any, iteration: int) -> None:
        """Writes the checkpoint, then its record (an old record goes first)."""
        import torch

        from dacapo import __version__

        checkpoint = {
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "iteration": _check_iteration(iteration),
            "dacapo_version": __version__,
        }
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        data = buffer.getvalue()
        path = self._iteration_file(run.name, iteration)
        record = self._record_file(run.name, iteration)
        record.unlink(missing_ok=True)  # it describes the checkpoint about to be replaced
        atomic_write(path, lambda stream: stream.write(data))
        write_record(record, record_of(data, iteration))
        logger.info("stored weights of run %r, iteration %d in %s", run.name, iteration, path)

    def retrieve_weights(self, run_name: str, iteration: int) -> Weights:
        """The checkpoint, checked against its record; ``StoreError`` naming the
        file if it is damaged."""
        path = self._iteration_file(run_name, iteration)
        if not path.is_file():
            raise NoSuchCheckpointError(
                f"run {run_name!r} has no checkpoint of iteration {iteration} ({path}); "
                f"stored iterations: {_few(self._iterations(run_name))}"
            )
        data = read_checkpoint(path)
        verify_against_record(path, self._record_file(run_name, iteration), data)
        checkpoint = _load(path, data)
        return Weights(checkpoint["model"], checkpoint["optimizer"])

    def remove(self, run_name: str, iteration: int) -> None:
        path = self._iteration_file(run_name, iteration)
        if not path.is_file():
            raise NoSuchCheckpointError(
                f"cannot remove iteration {iteration} of run {run_name!r}: no checkpoint "
                f"at {path}; stored iterations: {_few(self._iterations(run_name))}"
            )
        path.unlink()
        self._record_file(run_name, iteration).unlink(missing_ok=True)

    def checkpoint_location(self, run_name: str, iteration: int) -> str:
        return str(self._iteration_file(run_name, iteration))

    def checkpoints_location(self, run_name: str) -> str:
        return str(self._checkpoints(run_name))

    @contextlib.contextmanager
    def training_lock(self, run_name: str) -> Iterator[None]:
        """Holds ``<run>/training.lock`` (see ``dacapo.store._run_lock``); then
        removes what killed writers of this run's checkpoints left behind."""
        with run_lock(self.basedir / safe_name("run", run_name), run_name):
            self._remove_partial_writes(run_name)
            yield

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

    def _record_file(self, run_name: str, iteration: int) -> Path:
        return self._checkpoints(run_name) / "records" / f"{_check_iteration(iteration)}.json"

    def _remove_partial_writes(self, run_name: str) -> None:
        """Deletes the temporary files of checkpoint writes that were killed."""
        for name in ("iterations", "records"):
            folder = self._checkpoints(run_name) / name
            if not is_local(folder) or not folder.is_dir():
                continue
            for path in folder.iterdir():
                if _TEMPORARY.fullmatch(path.name):
                    logger.info("removing %s, left by a checkpoint write that was killed", path)
                    path.unlink(missing_ok=True)

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


def _load(path: Path, data: bytes) -> dict:
    """The checkpoint dict in ``data``, the bytes of ``path``, tensors on the CPU.

    Upstream DaCapo pickles a ``dacapo.store.weights_store.Weights`` object
    instead of a dict; that one class is allowed (``weights_only`` still
    refuses every other object) and read as ``{"model", "optimizer"}``.
    """
    import torch

    try:
        with _weights_allowed(torch):
            checkpoint = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds for damaged files
        raise StoreError(
            f"checkpoint {path} cannot be read as a dacapo checkpoint dict "
            f"({type(error).__name__}: {_first_line(error)}); it may be damaged (truncated "
            "or overwritten: delete it to resume from the checkpoint before), or a pickled "
            "object other than upstream DaCapo's Weights, which is not loaded for safety "
            "(weights_only=True)"
        ) from error
    if isinstance(checkpoint, Weights):  # written by upstream DaCapo
        checkpoint = {"model": checkpoint.model, "optimizer": checkpoint.optimizer}
    if not isinstance(checkpoint, dict) or not {"model", "optimizer"} <= set(checkpoint):
        raise StoreError(
            f"checkpoint {path}: expected a dict with 'model' and 'optimizer' state dicts, "
            f"got {type(checkpoint).__name__}"
            + (f" with keys {sorted(checkpoint, key=str)}" if isinstance(checkpoint, dict) else "")
        )
    wrong = [key for key in ("model", "optimizer") if not isinstance(checkpoint[key], dict)]
    if wrong:
        raise StoreError(
            f"checkpoint {path}: expected 'model' and 'optimizer' to be state dicts, got "
            + ", ".join(f"{key!r}: {type(checkpoint[key]).__name__}" for key in wrong)
            + "; the file is damaged or not a dacapo checkpoint"
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


def _first_line(error: BaseException) -> str:
    """The first line of ``error``'s message (torch's can be long)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else repr(error)


def _few(values: List[int], limit: int = 10) -> str:
    """Up to ``limit`` values for a message."""
    if not values:
        return "none"
    shown = ", ".join(str(v) for v in values[-limit:])
    return shown if len(values) <= limit else f"... {shown} ({len(values)} in all)"
