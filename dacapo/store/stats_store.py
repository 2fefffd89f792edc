"""Training statistics and validation scores stored per run: the interface.

Both are lists of per-iteration records. Storing merges by iteration:
records of iterations the store does not hold yet are appended, and stored
records from the given object's last iteration + 1 on are dropped, so a
resumed run whose stats were truncated truncates the stored ones too.
The functions below convert between these objects and the plain records
the implementations keep.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List

from dacapo.experiments.training_iteration_stats import TrainingIterationStats
from dacapo.experiments.training_stats import TrainingStats
from dacapo.experiments.validation_iteration_scores import ValidationIterationScores
from dacapo.experiments.validation_scores import ValidationScores

__all__ = ["StatsStore"]

TRAINING = "training_stats"
VALIDATION = "validation_scores"


class StatsStore(ABC):
    """Stores the training stats and validation scores of runs."""

    @abstractmethod
    def store_training_stats(self, run_name: str, stats: TrainingStats) -> None:
        """Makes the stored stats of ``run_name`` agree with ``stats`` (see module doc)."""

    @abstractmethod
    def retrieve_training_stats(self, run_name: str) -> TrainingStats:
        """The stored stats of ``run_name`` (empty when there are none)."""

    @abstractmethod
    def store_validation_iteration_scores(self, run_name: str, scores: ValidationScores) -> None:
        """Makes the stored scores of ``run_name`` agree with ``scores.scores``."""

    @abstractmethod
    def retrieve_validation_iteration_scores(
        self, run_name: str
    ) -> List[ValidationIterationScores]:
        """The stored per-iteration scores of ``run_name``, by iteration (maybe empty)."""

    @abstractmethod
    def delete_training_stats(self, run_name: str) -> None:
        """Deletes the stored stats of ``run_name`` (nothing happens if there are none)."""

    @abstractmethod
    def delete_validation_scores(self, run_name: str) -> None:
        """Deletes the stored scores of ``run_name`` (nothing happens if there are none)."""


class RecordStatsStore(StatsStore):
    """A stats store that keeps, per table (``TRAINING``, ``VALIDATION``) and
    run, the plain records of the functions below."""

    def store_training_stats(self, run_name: str, stats: TrainingStats) -> None:
        self._merge(TRAINING, run_name, training_records(stats))

    def retrieve_training_stats(self, run_name: str) -> TrainingStats:
        return training_stats(self._read(TRAINING, run_name))

    def store_validation_iteration_scores(self, run_name: str, scores: ValidationScores) -> None:
        self._merge(VALIDATION, run_name, validation_records(scores))

    def retrieve_validation_iteration_scores(
        self, run_name: str
    ) -> List[ValidationIterationScores]:
        return validation_scores(self._read(VALIDATION, run_name))

    def delete_training_stats(self, run_name: str) -> None:
        self._delete(TRAINING, run_name)

    def delete_validation_scores(self, run_name: str) -> None:
        self._delete(VALIDATION, run_name)

    @abstractmethod
    def _merge(self, table: str, run_name: str, given: List[Dict[str, Any]]) -> None:
        """Stores ``given`` over the stored records as ``merge_records`` does."""

    @abstractmethod
    def _read(self, table: str, run_name: str) -> List[Dict[str, Any]]:
        """The stored records, by iteration (empty when there are none)."""

    @abstractmethod
    def _delete(self, table: str, run_name: str) -> None:
        """Deletes the stored records (nothing happens if there are none)."""


def training_records(stats: TrainingStats) -> List[Dict[str, Any]]:
    """``stats`` as plain records ``{iteration, loss, time}``."""
    return [
        {"iteration": int(s.iteration), "loss": float(s.loss), "time": float(s.time)}
        for s in stats.iteration_stats
    ]


def training_stats(records: List[Dict[str, Any]]) -> TrainingStats:
    """The ``TrainingStats`` of plain records."""
    return TrainingStats(
        [TrainingIterationStats(r["iteration"], r["loss"], r["time"]) for r in records]
    )


def validation_records(scores: ValidationScores) -> List[Dict[str, Any]]:
    """``scores.scores`` as plain records ``{iteration, scores}``."""
    return [
        {
            "iteration": int(s.iteration),
            "scores": [[[float(v) for v in p] for p in d] for d in s.scores],
        }
        for s in scores.scores
    ]


def validation_scores(records: List[Dict[str, Any]]) -> List[ValidationIterationScores]:
    """The ``ValidationIterationScores`` of plain records."""
    return [ValidationIterationScores(r["iteration"], r["scores"]) for r in records]


def merge_records(
    stored: List[Dict[str, Any]], given: List[Dict[str, Any]]
) -> List[Dict[str, Any]]:
    """The records a store holds after storing ``given`` over ``stored`` (see module doc)."""
    until = given[-1]["iteration"] + 1 if given else 0
    kept = [r for r in stored if r["iteration"] < until]
    kept_until = kept[-1]["iteration"] + 1 if kept else 0
    return kept + [r for r in given if r["iteration"] >= kept_until]
