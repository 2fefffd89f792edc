"""A minimal post-processor for tests: threshold, then drop small objects."""

from __future__ import annotations

from typing import Iterator

import numpy as np
from scipy import ndimage

from dacapo.experiments.datasplits.datasets.arrays.array import Array

from .dummy_post_processor_parameters import DummyPostProcessorParameters
from .post_processor import Block, PostProcessor


class DummyPostProcessor(PostProcessor[DummyPostProcessorParameters]):
    """Foreground = any channel above ``detection_threshold``; objects smaller
    than ``min_size`` voxels (counted within a block) become background."""

    parameters_type = DummyPostProcessorParameters

    def __init__(self, detection_threshold: float):
        self.detection_threshold = detection_threshold

    def enumerate_parameters(self) -> Iterator[DummyPostProcessorParameters]:
        """``min_size`` 1..10."""
        for i, min_size in enumerate(range(1, 11)):
            yield DummyPostProcessorParameters(id=i, min_size=min_size)

    def _output_dtype(self, prediction: Array) -> np.dtype:
        return np.dtype(np.uint8)

    def _process_block(self, parameters: DummyPostProcessorParameters, block: Block) -> np.ndarray:
        prediction = self._require_prediction()
        data = prediction[block.roi]
        if "c" in prediction.axes:
            data = data.max(axis=prediction.axes.index("c"))
        foreground = data > self.detection_threshold
        components, _ = ndimage.label(foreground)
        sizes = np.bincount(components.ravel())
        keep = sizes >= parameters.min_size
        keep[0] = False
        return keep[components].astype(np.uint8)
