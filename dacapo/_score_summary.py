"""The best validation score per criterion, over parameter sets or iterations.

Validation scores are indexed ``[iteration][dataset][parameter set][criterion]``;
whether a criterion is better high or low comes from the evaluation scores
class (``higher_is_better(criterion)``). NaN scores are skipped; where every
score is NaN the best is NaN. Plain numpy, shared by the plots and the
experiment trackers.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["best_over_parameters", "best_index"]


def best_over_parameters(scores: np.ndarray, higher_is_better: Sequence[bool]) -> np.ndarray:
    """``scores[..., parameter set, criterion]`` reduced to the best parameter set
    of each criterion: an array ``[..., criterion]``.

    >>> best_over_parameters(np.array([[0.2, 3.0], [0.5, 1.0]]), [True, False]).tolist()
    [0.5, 1.0]
    """
    scores = np.asarray(scores, dtype=float)
    higher = np.asarray(higher_is_better, dtype=bool)
    if scores.shape[-2] == 0:
        return np.full(scores.shape[:-2] + scores.shape[-1:], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
        return np.where(higher, np.nanmax(scores, axis=-2), np.nanmin(scores, axis=-2))


def best_index(values: Any, higher_is_better: bool) -> Optional[int]:
    """The position of the best finite value of ``values`` (the first on ties),
    or None when none is finite.

    >>> best_index([0.4, float("nan"), 0.1], higher_is_better=False)
    2
    """
    array = np.asarray(values, dtype=float)
    finite = np.isfinite(array)
    if not finite.any():
        return None
    masked = np.where(finite, array, -np.inf if higher_is_better else np.inf)
    return int(np.argmax(masked) if higher_is_better else np.argmin(masked))
