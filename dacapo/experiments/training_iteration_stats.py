"""The statistics of one training iteration (defined in ``dacapo._run_stats``,
below the stats store that keeps them)."""

from dacapo._run_stats import TrainingIterationStats

__all__ = ["TrainingIterationStats"]
