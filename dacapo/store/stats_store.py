"""Training statistics and validation scores stored per run: the interface.

A stats store keeps plain records, one dict per iteration, in two tables:
``training_stats`` (``{iteration, loss, time}``) and ``validation_scores``
(``{iteration, scores}``). The objects convert themselves: what is stored
gives its records through ``to_records()``, and what is retrieved is rebuilt
by ``TrainingStats.from_records`` and ``ValidationIterationScores.from_record``
(value types of ``dacapo._run_stats``, below the stores).

Storing merges by iteration: records of iterations the store does not hold
yet are appended, and stored records from the given object's last iteration
+ 1 on are dropped, so a resumed run whose stats were truncated truncates the
stored ones too. Backends implement three primitives on records: ``_merge``,
``_read`` and ``_delete``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List

from dacapo._run_stats import TrainingStats, ValidationIterationScores
from dacapo.errors import ConfigError, StoreError

__all__ = ["StatsStore", "merge_records"]

TRAINING = "training_stats"
VALIDATION = "validation_scores"

Record = Dict[str, Any]


class StatsStore(ABC):
    """Stores the training stats and validation scores of runs."""

    def store_training_stats(self, run_name: str, stats: TrainingStats) -> None:
        """Makes the stored stats of ``run_name`` agree with ``stats`` (see module doc)."""
        records = _records_of("store_training_stats", stats, "TrainingStats")
        self._merge(TRAINING, run_name, records)

    def retrieve_training_stats(self, run_name: str) -> TrainingStats:
        """The stored stats of ``run_name`` (empty when there are none)."""
        return self._rebuild(TRAINING, run_name, TrainingStats.from_records)

    def store_validation_iteration_scores(self, run_name: str, scores: Any) -> None:
        """Makes the stored scores of ``run_name`` agree with ``scores``, a
        ``ValidationScores`` (or anything else with ``to_records()``)."""
        records = _records_of("store_validation_iteration_scores", scores, "ValidationScores")
        self._merge(VALIDATION, run_name, records)

    def retrieve_validation_iteration_scores(
        self, run_name: str
    ) -> List[ValidationIterationScores]:
        """The stored per-iteration scores of ``run_name``, by iteration (maybe empty)."""
        def rebuild(records: List[Record]) -> List[ValidationIterationScores]:
            return [ValidationIterationScores.from_record(r) for r in records]

        return self._rebuild(VALIDATION, run_name, rebuild)

    def delete_training_stats(self, run_name: str) -> None:
        """Deletes the stored stats of ``run_name`` (nothing happens if there are none)."""
        self._delete(TRAINING, run_name)

    def delete_validation_scores(self, run_name: str) -> None:
        """Deletes the stored scores of ``run_name`` (nothing happens if there are none)."""
        self._delete(VALIDATION, run_name)

    def remove_partial_writes(self, run_name: str) -> None:
        """Deletes what killed writes of ``run_name``'s training stats left behind
        (temporary files); nothing for stores that write whole records. Only the
        trainer of the run, which holds its lock, calls this."""
        return None

    def _rebuild(self, table: str, run_name: str, rebuild: Callable[[List[Record]], Any]) -> Any:
        """``rebuild`` of the stored records; ``StoreError`` when they do not fit."""
        records = self._read(table, run_name)
        try:
            return rebuild(records)
        except (KeyError, TypeError, ValueError) as error:
            raise StoreError(
                f"{table} records of run {run_name!r} in {self} cannot be read "
                f"({type(error).__name__}: {error}); delete them with "
                f"delete_{table}({run_name!r}) to start the record afresh"
            ) from error

    @abstractmethod
    def _merge(self, table: str, run_name: str, given: List[Record]) -> None:
        """Stores ``given`` over the stored records as ``merge_records`` does."""

    @abstractmethod
    def _read(self, table: str, run_name: str) -> List[Record]:
        """The stored records, by iteration (empty when there are none)."""

    @abstractmethod
    def _delete(self, table: str, run_name: str) -> None:
        """Deletes the stored records (nothing happens if there are none)."""


def _records_of(method: str, value: Any, expected: str) -> List[Record]:
    """``value.to_records()``; ``ConfigError`` when ``value`` has no such method."""
    if not callable(getattr(value, "to_records", None)):
        raise ConfigError(
            f"{method}: expected a {expected} (anything with to_records()), got "
            f"{type(value).__name__} {value!r}"
        )
    return value.to_records()


def merge_records(stored: List[Record], given: List[Record]) -> List[Record]:
    """The records a store holds after storing ``given`` over ``stored`` (see module doc)."""
    until = given[-1]["iteration"] + 1 if given else 0
    kept = [r for r in stored if r["iteration"] < until]
    kept_until = kept[-1]["iteration"] + 1 if kept else 0
    return kept + [r for r in given if r["iteration"] >= kept_until]
