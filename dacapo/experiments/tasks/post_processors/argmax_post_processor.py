"""Semantic labels: the channel with the highest prediction."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array

from .argmax_post_processor_parameters import ArgmaxPostProcessorParameters
from .post_processor import Block, PostProcessor, channel_count


class ArgmaxPostProcessor(PostProcessor[ArgmaxPostProcessorParameters]):
    """Labels each voxel with the index of its largest channel (uint8, or
    uint64 beyond 256 channels)."""

    parameters_type = ArgmaxPostProcessorParameters

    def enumerate_parameters(self) -> Iterator[ArgmaxPostProcessorParameters]:
        """A single parameter set."""
        yield ArgmaxPostProcessorParameters(id=0)

    def _check_prediction(self, prediction: Array) -> None:
        if "c" not in prediction.axes:
            raise ConfigError(
                f"ArgmaxPostProcessor: prediction {prediction.name!r} has axes "
                f"{prediction.axes} without a channel axis 'c'; argmax needs one "
                "channel per class"
            )

    def _output_dtype(self, prediction: Array) -> np.dtype:
        return np.dtype(np.uint8 if channel_count(prediction) <= 256 else np.uint64)

    def _process_block(self, parameters: ArgmaxPostProcessorParameters, block: Block) -> np.ndarray:
        prediction = self._require_prediction()
        data = prediction[block.roi]
        channel_axis = data.ndim - prediction.dims - 1
        return np.argmax(data, axis=channel_axis).astype(self._output_dtype(prediction))
