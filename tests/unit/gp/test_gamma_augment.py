"""GammaAugment: raw -> raw ** gamma, gamma log-uniform in [gamma_min, gamma_max]."""

import math

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.gp import GammaAugment

RAW = gp.ArrayKey("RAW")
ROI = Roi((0, 0), (2, 2))
VALUES = np.array([[0.0, 0.25], [0.5, 1.0]], dtype=np.float32)


def test_fixed_gamma_is_applied(source, fetch):
    batch = fetch(source(RAW, VALUES) + GammaAugment([RAW], 2.0, 2.0), {RAW: ROI})
    np.testing.assert_allclose(batch[RAW].data, [[0.0, 0.0625], [0.25, 1.0]])
    assert batch[RAW].data.dtype == np.float32


def test_gamma_one_changes_nothing(source, fetch):
    batch = fetch(source(RAW, VALUES) + GammaAugment(RAW, 1.0, 1.0), {RAW: ROI})
    np.testing.assert_array_equal(batch[RAW].data, VALUES)


def test_gammas_stay_in_range_and_fall_on_both_sides_of_one(source, fetch):
    pipeline = source(RAW, VALUES) + GammaAugment([RAW], 0.5, 2.0)
    gammas = []
    for seed in range(40):
        out = fetch(pipeline, {RAW: ROI}, seed=seed)[RAW].data
        assert out[0, 0] == 0.0 and out[1, 1] == 1.0  # 0 and 1 are fixed points
        gammas.append(math.log(float(out[1, 0])) / math.log(0.5))
    assert min(gammas) >= 0.5 - 1e-4 and max(gammas) <= 2.0 + 1e-4
    assert any(g < 0.9 for g in gammas) and any(g > 1.1 for g in gammas)


@pytest.mark.parametrize(
    ("low", "high", "match"),
    [
        (2.0, 0.5, r"GammaAugment: `\(gamma_min, gamma_max\)` .* min <= max, got \(2.0, 0.5\)"),
        (0.0, 2.0, r"GammaAugment: `\(gamma_min, gamma_max\)` .* 0 < min .*, got \(0.0, 2.0\)"),
        (-1.0, 1.0, r"`\(gamma_min, gamma_max\)` .* 0 < min <= max, got \(-1.0, 1.0\)"),
    ],
)
def test_invalid_range_is_refused(low, high, match):
    with pytest.raises(ConfigError, match=match):
        GammaAugment([RAW], low, high)


def test_integer_raw_is_refused(source, fetch):
    pipeline = source(RAW, np.ones((2, 2), dtype=np.uint8)) + GammaAugment([RAW], 0.5, 2.0)
    with pytest.raises(gp.PipelineRequestError, match="dtype uint8; expected float"):
        fetch(pipeline, {RAW: ROI})


def test_raw_outside_unit_range_is_refused(source, fetch):
    raw = np.array([[-1.0, 0.0], [0.5, 1.0]], dtype=np.float32)
    pipeline = source(RAW, raw) + GammaAugment([RAW], 0.5, 2.0)
    expected = r"values in \[-1.0, 1.0\]; expected \[0, 1\]"
    with pytest.raises(gp.PipelineRequestError, match=expected):
        fetch(pipeline, {RAW: ROI})
