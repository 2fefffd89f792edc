"""What a run records per iteration: training stats and validation scores.

These are plain values: the trainer and validation produce them, the run holds
them and the stats store keeps them. They live below the stores, which must
return them, and depend on nothing of dacapo. Their public paths are
``dacapo.experiments.training_iteration_stats``,
``dacapo.experiments.training_stats`` and
``dacapo.experiments.validation_iteration_scores``.

Each converts to and from a plain record, the dict a stats store keeps:
``{iteration, loss, time}`` for training, ``{iteration, scores}`` for
validation.
"""

from __future__ import annotations

from typing import Any, Dict, List

import attr

__all__ = ["TrainingIterationStats", "TrainingStats", "ValidationIterationScores"]

Record = Dict[str, Any]


@attr.s
class TrainingIterationStats:
    """Loss and duration of one training iteration."""

    iteration: int = attr.ib(metadata={"help_text": "The iteration these stats belong to."})
    loss: float = attr.ib(metadata={"help_text": "The loss of this iteration."})
    time: float = attr.ib(metadata={"help_text": "Seconds this iteration took."})

    def to_record(self) -> Record:
        """``{iteration, loss, time}`` as plain numbers."""
        return {
            "iteration": int(self.iteration),
            "loss": float(self.loss),
            "time": float(self.time),
        }

    @classmethod
    def from_record(cls, record: Record) -> "TrainingIterationStats":
        """The inverse of ``to_record``."""
        return cls(record["iteration"], record["loss"], record["time"])


@attr.s
class TrainingStats:
    """Loss and time of every iteration trained so far, in iteration order."""

    iteration_stats: List[TrainingIterationStats] = attr.ib(
        factory=list,
        metadata={"help_text": "One record per trained iteration, ordered by iteration."},
    )

    def add_iteration_stats(self, iteration_stats: TrainingIterationStats) -> None:
        """Appends a record; records of this or later iterations are replaced.

        Re-training from an earlier iteration (after resuming from a
        checkpoint) thus overwrites what was recorded beyond it.
        """
        self.delete_after(iteration_stats.iteration)
        self.iteration_stats.append(iteration_stats)

    def delete_after(self, iteration: int) -> None:
        """Keeps only the records of iterations before ``iteration``."""
        self.iteration_stats = [s for s in self.iteration_stats if s.iteration < iteration]

    def trained_until(self) -> int:
        """The iteration training continues from: last recorded iteration + 1 (0 if none)."""
        if not self.iteration_stats:
            return 0
        return self.iteration_stats[-1].iteration + 1

    def to_records(self) -> List[Record]:
        """One plain record ``{iteration, loss, time}`` per iteration."""
        return [s.to_record() for s in self.iteration_stats]

    @classmethod
    def from_records(cls, records: List[Record]) -> "TrainingStats":
        """The inverse of ``to_records``."""
        return cls([TrainingIterationStats.from_record(r) for r in records])

    def to_xarray(self):
        """The losses as an ``xarray.DataArray`` over the dimension ``iterations``."""
        import xarray as xr

        return xr.DataArray(
            [float(s.loss) for s in self.iteration_stats],
            dims=("iterations",),
            coords={"iterations": [int(s.iteration) for s in self.iteration_stats]},
            name="loss",
        )


@attr.s
class ValidationIterationScores:
    """Every score computed when validating one iteration."""

    iteration: int = attr.ib(metadata={"help_text": "The iteration that was validated."})
    scores: List[List[List[float]]] = attr.ib(
        metadata={
            "help_text": "Scores indexed [dataset][post-processing parameter set][criterion]."
        }
    )

    def to_record(self) -> Record:
        """``{iteration, scores}`` with the scores as nested lists of floats."""
        return {
            "iteration": int(self.iteration),
            "scores": [[[float(v) for v in p] for p in d] for d in self.scores],
        }

    @classmethod
    def from_record(cls, record: Record) -> "ValidationIterationScores":
        """The inverse of ``to_record``."""
        return cls(record["iteration"], record["scores"])
