"""Binary segmentation by thresholding each channel of a prediction."""

from __future__ import annotations

import logging
from typing import Iterator, Optional, Tuple

import numpy as np

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array

from .post_processor import Block, PostProcessor, iterate_blocks
from .threshold_post_processor_parameters import ThresholdPostProcessorParameters

logger = logging.getLogger(__name__)

# positions of the thresholds within the prediction's value range: 5%, 10%, ... 95%
THRESHOLD_FRACTIONS = tuple(k / 20 for k in range(1, 20))


class ThresholdPostProcessor(PostProcessor[ThresholdPostProcessorParameters]):
    """Writes ``prediction > threshold`` as uint8, channel by channel.

    The grid places 19 thresholds at 5%, 10%, ... 95% of the range of the
    values the prediction really holds (its finite minimum and maximum, read
    block by block by ``set_prediction``), so it fits whatever the prediction
    holds: tanh distances of a trained model spanning [-1, 1] get -0.9 ...
    0.9 in steps of 0.1 (0 among them), an early model's narrow [-0.08, 0.06]
    gets thresholds inside that interval, and a uint8-encoded prediction gets
    them in 0..255. The grid keeps its size, so validation scores line up
    across iterations, while its values follow each prediction. Before
    ``set_prediction`` it spans ``value_range`` (default [-1, 1]).
    """

    parameters_type = ThresholdPostProcessorParameters

    def __init__(self, *, value_range: Optional[Tuple[float, float]] = None):
        if value_range is not None and (
            len(value_range) != 2 or not float(value_range[0]) < float(value_range[1])
        ):
            raise ConfigError(
                f"ThresholdPostProcessor: value_range {tuple(value_range)} must be "
                "(low, high) with low < high, e.g. (-1, 1) for tanh distances"
            )
        self.value_range: Optional[Tuple[float, float]] = (
            None if value_range is None else (float(value_range[0]), float(value_range[1]))
        )
        self._range = self.value_range or (-1.0, 1.0)

    def enumerate_parameters(self) -> Iterator[ThresholdPostProcessorParameters]:
        """19 thresholds spread over the prediction's value range."""
        low, high = self._range
        for i, fraction in enumerate(THRESHOLD_FRACTIONS):
            threshold = round(low + fraction * (high - low), 4)
            yield ThresholdPostProcessorParameters(id=i, threshold=threshold)

    def set_prediction(self, prediction_array) -> None:
        """Sets the prediction and fits the threshold grid to its values."""
        super().set_prediction(prediction_array)
        prediction = self._require_prediction()
        self._range = self._fit_range(prediction)
        logger.debug("thresholds for %s span %s", prediction.name, self._range)

    def _fit_range(self, prediction: Array) -> Tuple[float, float]:
        if np.dtype(prediction.dtype) == np.bool_:
            return (0.0, 1.0)
        low, high = _value_range(prediction)
        return (low, high) if low < high else (low - 1.0, low + 1.0)

    def _output_dtype(self, prediction: Array) -> np.dtype:
        return np.dtype(np.uint8)

    def _output_axes(self, prediction: Array):
        return list(prediction.axes)

    def _process_block(
        self, parameters: ThresholdPostProcessorParameters, block: Block
    ) -> np.ndarray:
        return (self._require_prediction()[block.roi] > parameters.threshold).astype(np.uint8)


def _value_range(prediction: Array) -> Tuple[float, float]:
    """Finite min and max of a prediction, read block by block."""
    block_shape = prediction.voxel_size * 128
    low, high = np.inf, -np.inf
    for roi in iterate_blocks(prediction.roi, block_shape):
        data = prediction[roi]
        finite = data[np.isfinite(data)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    if low > high:
        raise ConfigError(
            f"ThresholdPostProcessor: prediction {prediction.name!r} holds no finite "
            "values to fit thresholds to"
        )
    return low, high
