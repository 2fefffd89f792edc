"""A predictor of zero embeddings, for tests and demos."""

from __future__ import annotations

import numpy as np
import torch

from dacapo.experiments.arraytypes.embedding import EmbeddingArray

# NumpyArray is re-exported on purpose: it is part of this module's public API.
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.model import Model

from .predictor import Predictor

__all__ = ["Predictor", "Model", "EmbeddingArray", "NumpyArray", "DummyPredictor"]

_CONV = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}


class DummyPredictor(Predictor):
    """Predicts ``embedding_dims`` channels; the target is all zeros and the
    weights all ones."""

    def __init__(self, embedding_dims: int):
        self.embedding_dims = embedding_dims

    def create_model(self, architecture) -> Model:
        """The architecture followed by a 1x1 convolution to ``embedding_dims`` channels."""
        head = _CONV[architecture.dims](architecture.num_out_channels, self.embedding_dims, 1)
        return Model(architecture, head)

    def create_target(self, gt) -> NumpyArray:
        """Zeros with ``embedding_dims`` channels over the ROI of ``gt`` (float32)."""
        spatial_shape = tuple(gt.roi.shape / gt.voxel_size)
        spatial_axes = [axis for axis in gt.axes if axis not in ("b", "c")]
        return NumpyArray.from_np_array(
            np.zeros((self.embedding_dims,) + spatial_shape, dtype=np.float32),
            gt.roi,
            gt.voxel_size,
            ["c"] + spatial_axes,
        )

    def create_weight(self, gt, target, mask, moving_class_counts=None):
        """Ones shaped like ``target``, and ``None`` for the class counts."""
        return (
            NumpyArray.from_np_array(
                np.ones_like(target.data), target.roi, target.voxel_size, target.axes
            ),
            None,
        )

    @property
    def output_array_type(self) -> EmbeddingArray:
        """``EmbeddingArray(embedding_dims)``."""
        return EmbeddingArray(self.embedding_dims)
