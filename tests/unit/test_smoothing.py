"""Moving means of losses (``dacapo._smoothing``, public as
``dacapo.plot.smooth_values``) and the best scores (``dacapo._score_summary``)."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from dacapo import _score_summary, _smoothing
from dacapo._score_summary import best_index, best_over_parameters
from dacapo._smoothing import loss_window, smooth_values
from dacapo.errors import ConfigError


@pytest.mark.parametrize("module", [_smoothing, _score_summary])
def test_docstring_examples_run(module):
    assert doctest.testmod(module).failed == 0


def test_moving_mean_and_std_over_whole_windows():
    values = np.array([1.0, 3.0, 1.0, 3.0, 10.0])
    mean, std = smooth_values(values, 2)
    assert mean.tolist() == [2.0, 2.0, 2.0, 6.5]
    assert std.tolist() == pytest.approx([1.0, 1.0, 1.0, 3.5])
    mean, _ = smooth_values(values, 2, stride=2)
    assert mean.tolist() == [2.0, 2.0]


def test_a_window_of_one_is_the_values_themselves_and_longer_than_the_values_is_empty():
    assert smooth_values([4, 5], 1)[0].tolist() == [4.0, 5.0]
    mean, std = smooth_values([4, 5], 3)
    assert mean.size == std.size == 0


def test_non_finite_values_are_left_out_of_their_windows():
    mean, _ = smooth_values([1.0, math.nan, 3.0, math.inf, math.nan, 5.0], 2)
    assert mean[:2].tolist() == [1.0, 3.0] and math.isnan(mean[3]) and mean[4] == 5.0


def test_the_window_is_a_twentieth_of_the_length_within_one_and_smooth():
    assert [loss_window(n, 100) for n in (0, 19, 40, 300, 10_000)] == [1, 1, 2, 15, 100]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: smooth_values([1, 2], 0), "smooth_values: `n` must be an integer >= 1, got 0"),
        (lambda: smooth_values([1, 2], 1, stride=1.5), "`stride` must be .* got 1.5"),
        (lambda: loss_window(10, True), "loss_window: `smooth` must be .* got True"),
    ],
)
def test_bad_windows_are_refused(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_best_over_parameters_follows_each_direction_and_skips_nan():
    scores = np.array([[[1.0, 5.0], [3.0, math.nan]], [[math.nan, math.nan], [math.nan, 2.0]]])
    best = best_over_parameters(scores, [True, False])  # [iteration, criterion]
    assert best[0].tolist() == [3.0, 5.0]
    assert math.isnan(best[1, 0]) and best[1, 1] == 2.0
    assert best_over_parameters(np.empty((2, 0, 3)), [True] * 3).shape == (2, 3)


def test_best_index_picks_the_first_best_finite_value():
    assert best_index([0.2, 0.9, 0.9], True) == 1
    assert best_index([math.nan, math.nan], True) is None
