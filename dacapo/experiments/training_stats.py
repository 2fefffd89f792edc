"""The training statistics of a run, one record per iteration."""

from __future__ import annotations

from typing import List

import attr

from dacapo.experiments.training_iteration_stats import TrainingIterationStats


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

    def to_xarray(self):
        """The losses as an ``xarray.DataArray`` over the dimension ``iterations``."""
        import xarray as xr

        return xr.DataArray(
            [float(s.loss) for s in self.iteration_stats],
            dims=("iterations",),
            coords={"iterations": [int(s.iteration) for s in self.iteration_stats]},
            name="loss",
        )
