"""Several instance label arrays merged into one with unique ids."""

from __future__ import annotations

import logging
from typing import List, Optional

import numpy as np
from funlib.geometry import Coordinate, Roi
from tqdm import tqdm

from dacapo.errors import ConfigError

from ._combined import CombinedArray
from ._wrapped import open_source
from .array import Array
from .binarize_array import validate_label_source

logger = logging.getLogger(__name__)

# voxels read at once while scanning a source for its maximum id
_SCAN_BLOCK_VOXELS = 1 << 22


class MergeInstancesArray(CombinedArray):
    """Source ``k``'s non-zero ids plus the summed maximum ids of sources before it.

    Reads are uint64 so that shifted ids never overflow::

        source 0 (max 2):  0 1 2 0      ->  0 1 2 0
        source 1 (max 1):  0 0 0 1      ->  0 0 0 3
        merged:                             0 1 2 3
    """

    def __init__(self, array_config):
        owner = f"MergeInstancesArray {array_config.name!r}"
        sources = [open_source(c) for c in array_config.source_array_configs]
        for source in sources:
            validate_label_source(source, owner)
        super().__init__(array_config, sources, owner)
        self._offsets: Optional[List[int]] = None

    @property
    def dtype(self):
        return np.dtype(np.uint64)

    @property
    def offsets(self) -> List[int]:
        """The id shift of each source (computed on first use, then cached)."""
        if self._offsets is None:
            max_ids = [source_max_id(s, self.name) for s in self._sources]
            self._offsets = [int(v) for v in np.cumsum([0] + max_ids[:-1])]
        return self._offsets

    def _read(self, roi: Roi) -> np.ndarray:
        shape = tuple(roi.shape / self.voxel_size)
        merged = np.zeros(shape, dtype=np.uint64)
        for source, offset in zip(self._sources, self.offsets):
            labels = source[roi]
            labelled = labels != 0
            merged[labelled] = labels[labelled].astype(np.uint64) + np.uint64(offset)
        return merged


def source_max_id(source: Array, owner: str) -> int:
    """The ``max_id`` attribute of ``source``, or the maximum over its ROI read in slabs."""
    declared = source.attrs.get("max_id") if source.attrs else None
    if declared is not None:
        valid = isinstance(declared, (int, np.integer)) and not isinstance(declared, bool)
        if not valid or declared < 0:
            raise ConfigError(
                f"MergeInstancesArray {owner!r}: source {source.name!r} has a `max_id` "
                f"attribute {declared!r}; expected a non-negative integer (remove it to "
                "have the maximum computed)"
            )
        return int(declared)
    slabs = _slabs(source)
    logger.info("computing the maximum id of %r in %d blocks", source.name, len(slabs))
    highest = 0
    for slab in tqdm(slabs, desc=f"max id of {source.name}", disable=len(slabs) < 4):
        data = source[slab]
        if data.size:
            highest = max(highest, int(data.max()))
    return highest


def _slabs(source: Array) -> List[Roi]:
    """``source.roi`` cut along its first axis into slabs of at most ``_SCAN_BLOCK_VOXELS``."""
    roi, voxel_size = source.roi, source.voxel_size
    voxels = roi.shape / voxel_size
    per_plane = max(1, int(np.prod(voxels[1:])))
    thickness = max(1, _SCAN_BLOCK_VOXELS // per_plane)
    slabs = []
    for start in range(0, voxels[0], thickness):
        depth = min(thickness, voxels[0] - start)
        offset = roi.offset + Coordinate((start * voxel_size[0],) + (0,) * (roi.dims - 1))
        shape = Coordinate((depth * voxel_size[0],) + tuple(roi.shape[1:]))
        slabs.append(Roi(offset, shape))
    return slabs
