"""A gunpowder source that reads from a DaCapo ``Array``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

import gunpowder as gp
import numpy as np

if TYPE_CHECKING:
    from dacapo.experiments.datasplits.datasets.arrays.array import Array

logger = logging.getLogger(__name__)


class DaCapoArraySource(gp.BatchProvider):
    """Provides ``array`` under ``key``, reading only the requested ROI.

    The provided spec carries the array's ROI, voxel size and dtype. Channel
    (and other non-spatial) axes lead the data and are always read whole.
    Each batch gets its own copy of the data, so downstream nodes may modify
    it in place.

    Args:
        array: The DaCapo array to read.
        key: The gunpowder key to provide it under.
        interpolatable: Whether augmentations may interpolate the values;
            by default true for floating point arrays and false otherwise
            (labels, masks).
    """

    def __init__(
        self, array: "Array", key: gp.ArrayKey, interpolatable: Optional[bool] = None
    ):
        self.array = array
        self.key = key
        dtype = np.dtype(array.dtype)
        if interpolatable is None:
            interpolatable = bool(np.issubdtype(dtype, np.floating))
        self.array_spec = gp.ArraySpec(
            roi=array.roi,
            voxel_size=array.voxel_size,
            interpolatable=interpolatable,
            dtype=dtype,
        )

    def setup(self):
        self.provides(self.key, self.array_spec.copy())

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        roi = request[self.key].roi
        data = np.array(self.array[roi], dtype=self.array_spec.dtype)
        spec = self.array_spec.copy()
        spec.roi = roi
        batch = gp.Batch()
        batch[self.key] = gp.Array(data, spec)
        return batch
