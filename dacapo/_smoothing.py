"""Moving means of noisy curves (training losses), NaN-tolerant."""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from dacapo._checks import check_int

__all__ = ["smooth_values", "loss_window"]

#: a curve is smoothed over about this fraction of its length ...
_WINDOW_FRACTION = 20


def smooth_values(a: Any, n: int, stride: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """The moving mean and standard deviation of ``a`` over windows of ``n`` values.

    Only whole windows count, so both results hold ``len(a) - n + 1`` values
    (none when ``a`` is shorter than ``n``), of which every ``stride``-th is
    returned. Non-finite values (a diverged loss) are left out of their
    windows; a window without any finite value gives NaN.

    >>> mean, std = smooth_values([1, 2, 3, 4, 5], 3)
    >>> mean.tolist(), np.round(std, 3).tolist()
    ([2.0, 3.0, 4.0], [0.816, 0.816, 0.816])
    """
    check_int("smooth_values", "n", n, 1)
    check_int("smooth_values", "stride", stride, 1)
    values = np.asarray(a, dtype=float).ravel()
    if len(values) < n:
        return np.empty(0), np.empty(0)
    finite = np.isfinite(values)
    clean = np.where(finite, values, 0.0)
    count, total, squares = (_window_sums(x, n) for x in (finite.astype(float), clean, clean**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        variance = np.maximum(squares / count - mean**2, 0.0)
    return mean[::stride], np.sqrt(variance)[::stride]


def loss_window(length: int, smooth: int) -> int:
    """The moving-mean window for a curve of ``length`` values: a twentieth of
    the length, at least 1 and at most ``smooth``."""
    check_int("loss_window", "smooth", smooth, 1)
    return int(max(1, min(smooth, length // _WINDOW_FRACTION)))


def _window_sums(values: np.ndarray, n: int) -> np.ndarray:
    """Sums of every ``n`` consecutive values (``len(values) - n + 1`` of them)."""
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    return cumulative[n:] - cumulative[:-n]

