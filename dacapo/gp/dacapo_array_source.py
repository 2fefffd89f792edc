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
    it in place; arrays known to build a new array on every read (see
    ``_reads_fresh``) are handed on without a second copy.

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
        self._fresh = _reads_fresh(array)

    def setup(self):
        self.provides(self.key, self.array_spec.copy())

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        roi = request[self.key].roi
        data = self.array[roi]
        fresh = self._fresh and isinstance(data, np.ndarray) and data.flags.writeable
        data = (np.asarray if fresh else np.array)(data, dtype=self.array_spec.dtype)
        spec = self.array_spec.copy()
        spec.roi = roi
        batch = gp.Batch()
        batch[self.key] = gp.Array(data, spec)
        return batch


def _reads_fresh(array: "Array") -> bool:
    """Whether ``array[roi]`` always builds a new array that nothing else
    refers to, so a source may hand it on without copying it.

    Only exact classes known to do so count: zarr-backed ``ZarrArray`` (zarr
    decodes each read into a new buffer), and arrays computing
    their values on read (``IntensitiesArray``, ``BinarizeArray``). Any other
    array, subclasses included, is copied.
    """
    import zarr

    from dacapo.experiments.datasplits.datasets.arrays.array import Array
    from dacapo.experiments.datasplits.datasets.arrays.binarize_array import BinarizeArray
    from dacapo.experiments.datasplits.datasets.arrays.intensity_array import IntensitiesArray
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    cls = type(array)
    if getattr(cls, "__getitem__", None) is not Array.__getitem__:
        return False
    if cls is ZarrArray:
        return isinstance(array.data, zarr.Array)
    return cls in (IntensitiesArray, BinarizeArray)
