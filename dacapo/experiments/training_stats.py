"""The training statistics of a run, one record per iteration (defined in
``dacapo._run_stats``, below the stats store that keeps them)."""

from dacapo._run_stats import TrainingIterationStats, TrainingStats

__all__ = ["TrainingStats", "TrainingIterationStats"]
