"""``RunTracker``: a run's training and validation metrics, sent to its writers.

Tracking must never stop training: a writer that raises is logged once (with
its traceback) and switched off for the rest of the session; the others go
on.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence

from dacapo._score_summary import best_over_parameters
from dacapo.tracking.writer import MetricsWriter

logger = logging.getLogger(__name__)

__all__ = ["RunTracker", "validation_metrics", "LOSS", "LEARNING_RATE"]

LOSS, LEARNING_RATE = "train/loss", "train/learning_rate"


class RunTracker:
    """Sends the metrics of run ``run_name`` to ``writers``.

    Used as a context manager it closes the writers at the end, with the
    status ``FINISHED``, ``KILLED`` (interrupted) or ``FAILED`` (an error).
    """

    def __init__(self, run_name: str, writers: Sequence[MetricsWriter] = ()):
        self.run_name = run_name
        self.writers: List[MetricsWriter] = list(writers)

    def __repr__(self) -> str:
        return f"RunTracker({self.run_name!r}, {self.writers!r})"

    def log_training(self, iteration: int, loss: float, learning_rate: float) -> None:
        """The loss and learning rate of training ``iteration``."""
        self._send({LOSS: loss, LEARNING_RATE: learning_rate}, iteration)

    def log_validation(self, validation_scores: Any, iteration: int) -> None:
        """The scores ``validation_scores`` (a ``ValidationScores``) hold for
        ``iteration``, if any: see ``validation_metrics``."""
        metrics = self._validation_metrics(validation_scores, iteration)
        if metrics:
            self._send(metrics, iteration)

    def resume(self, validation_scores: Any, iteration: int) -> None:
        """Writes the scores of ``iteration`` again to the writers that purge on
        resume: their purge hid what the earlier session wrote at that step."""
        metrics = self._validation_metrics(validation_scores, iteration)
        for writer in [w for w in self.writers if w.purges_on_resume]:
            if metrics:
                self._call(writer, "log_scalars", metrics, iteration)

    def flush(self) -> None:
        """Makes what was logged so far visible (called at each checkpoint)."""
        for writer in list(self.writers):
            self._call(writer, "flush")

    def close(self, status: str = "FINISHED") -> None:
        """Flushes and closes every writer."""
        for writer in list(self.writers):
            self._call(writer, "close", status)
        self.writers = []

    def __enter__(self) -> "RunTracker":
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if exc_type is None:
            self.close("FINISHED")
        else:
            self.close("KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED")

    def _validation_metrics(self, validation_scores: Any, iteration: int) -> Dict[str, float]:
        """``validation_metrics``, or none (with a warning) when the scores cannot
        be read: tracking never stops training."""
        if not self.writers:
            return {}
        try:
            return validation_metrics(validation_scores, iteration)
        except Exception as error:
            logger.warning("run %r: the validation scores of iteration %d cannot be tracked "
                           "(%s: %s)", self.run_name, iteration, type(error).__name__, error)
            return {}

    def _send(self, metrics: Mapping[str, float], step: int) -> None:
        for writer in list(self.writers):
            self._call(writer, "log_scalars", metrics, step)

    def _call(self, writer: MetricsWriter, method: str, *args: Any) -> None:
        """``writer.method(*args)``; a writer that raises is switched off."""
        try:
            getattr(writer, method)(*args)
        except Exception as error:
            logger.warning(
                "run %r: experiment tracking with %r failed in %s (%s: %s); it is switched off "
                "for the rest of this training, which goes on", self.run_name, writer, method,
                type(error).__name__, error, exc_info=True,
            )
            if writer in self.writers:
                self.writers.remove(writer)
            if method != "close":
                with contextlib.suppress(Exception):
                    writer.close("FAILED")


def validation_metrics(validation_scores: Any, iteration: int) -> Dict[str, float]:
    """``validation/<dataset>/<criterion>`` -> the best score of ``iteration``
    over the post-processing parameter sets (empty when it was not validated).

    One value per dataset and criterion (not per parameter set, which would
    make hundreds of curves): the one that decides the best checkpoint. NaN
    scores are left out.
    """
    import numpy as np

    record = _record_of(validation_scores, iteration)
    if record is None:
        return {}
    criteria = list(validation_scores.criteria)
    higher = [validation_scores.evaluation_scores.higher_is_better(c) for c in criteria]
    best = best_over_parameters(np.asarray(record.scores, dtype=float), higher)
    names = _dataset_names(validation_scores.datasets, len(best))
    return {
        f"validation/{dataset}/{criterion}": float(best[d, c])
        for d, dataset in enumerate(names)
        for c, criterion in enumerate(criteria)
        if np.isfinite(best[d, c])
    }


def _record_of(validation_scores: Any, iteration: int) -> Optional[Any]:
    for record in getattr(validation_scores, "scores", []):
        if record.iteration == iteration:
            return record
    return None


def _dataset_names(datasets: Sequence[Any], count: int) -> List[str]:
    names = [getattr(d, "name", None) for d in datasets]
    if len(names) != count or not all(isinstance(n, str) and n for n in names):
        return [f"dataset{i}" for i in range(count)]
    return [str(n) for n in names]
