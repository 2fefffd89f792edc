"""A gunpowder node applying a random gamma correction to intensities."""

from __future__ import annotations

import logging
import math
import random
from typing import Sequence, Union

import gunpowder as gp
import numpy as np

from dacapo._checks import check_interval
from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)


class GammaAugment(gp.BatchFilter):
    """Replaces each intensity ``v`` in ``[0, 1]`` by ``v ** gamma``.

    ``gamma`` is drawn log-uniformly from ``[gamma_min, gamma_max]`` (so
    ``[0.5, 2]`` darkens and brightens equally often), independently for each
    array of each batch. ``gamma > 1`` darkens mid-tones, ``gamma < 1``
    brightens them; 0 and 1 stay fixed. Arrays must be float and lie in
    ``[0, 1]``: put this before any augmentation that shifts intensities out
    of that range (e.g. an ``IntensityScaleShift`` to ``[-1, 1]``).
    """

    def __init__(
        self,
        arrays: Union[gp.ArrayKey, Sequence[gp.ArrayKey]],
        gamma_min: float,
        gamma_max: float,
    ):
        if isinstance(arrays, gp.ArrayKey):
            arrays = [arrays]
        check_interval(
            "GammaAugment", "(gamma_min, gamma_max)", (gamma_min, gamma_max), positive=True
        )
        self.arrays = list(arrays)
        self.gamma_min = gamma_min
        self.gamma_max = gamma_max

    def setup(self):
        self.enable_autoskip()
        for key in self.arrays:
            self.updates(key, self.spec[key])

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        deps = gp.BatchRequest()
        for key in self.arrays:
            if key in request:
                deps[key] = request[key].copy()
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> None:
        for key in self.arrays:
            if key in batch.arrays:
                array = batch.arrays[key]
                array.data = self._apply(key, array.data, self._sample_gamma())

    def _sample_gamma(self) -> float:
        low, high = math.log(self.gamma_min), math.log(self.gamma_max)
        return math.exp(random.uniform(low, high))

    def _apply(self, key: gp.ArrayKey, data: np.ndarray, gamma: float) -> np.ndarray:
        if not np.issubdtype(data.dtype, np.floating):
            raise ConfigError(
                f"GammaAugment: array {key} has dtype {data.dtype}; expected float "
                "values in [0, 1]; normalise it first (e.g. an IntensitiesArrayConfig)"
            )
        low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
        if low < 0 or high > 1:
            raise ConfigError(
                f"GammaAugment: array {key} has values in [{low}, {high}]; expected "
                "[0, 1]; normalise it first, and apply gamma before any scale/shift "
                "that leaves [0, 1]"
            )
        logger.debug("gamma %.3f on %s", gamma, key)
        return np.power(data, gamma, dtype=data.dtype)
