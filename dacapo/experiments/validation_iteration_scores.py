"""The validation scores of one iteration (defined in ``dacapo._run_stats``,
below the stats store that keeps them)."""

from dacapo._run_stats import ValidationIterationScores

__all__ = ["ValidationIterationScores"]
