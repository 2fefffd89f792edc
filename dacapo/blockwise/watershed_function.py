"""A segment function for ``segment_blockwise``: mutex watershed of affinities.

``segment_function(input_array, block, offsets, bias=0.5,
long_range_bias=0.1, min_object_size=0)`` segments the affinities of ``block.read_roi`` (the
first ``len(offsets)`` channels of ``input_array``) exactly as
``WatershedPostProcessor`` does for one block: ``mwatershed.agglom`` on the
affinities shifted by ``-bias`` (long-range offsets by a further
``-long_range_bias``), then objects whose mean affinity is below ``bias``
become background, and objects of fewer than ``min_object_size`` voxels join
their neighbours. Integer affinities are read as encoded [0, 1] (uint8:
255 = 1). ``default_parameters`` holds the nearest-neighbour offsets of a 3D
volume.

Use a context of at least the longest offset, so that blocks segment the
voxels at their faces with the same evidence as their neighbours do.

Memory and time go with the voxels of a block's read ROI (write ROI plus
context), not with the volume: ``mwatershed.agglom`` holds about 250 bytes a
voxel at its peak (3 offsets; its edge lists and their sort) besides the
float64 affinities (8 bytes a voxel and offset), and its time per voxel grows
slowly with the voxels of a block. A 128^3 write ROI with 32 voxels of
context (192^3 read) peaks near 1.9 GB per worker; blocks at the volume's
border read less.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

default_parameters = {
    "offsets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    "bias": 0.5,
    "long_range_bias": 0.1,
    "min_object_size": 0,
}


def segment_function(input_array: Any, block: Any, offsets: Sequence[Sequence[int]],
                     bias: float = 0.5, long_range_bias: float = 0.1,
                     min_object_size: int = 0) -> np.ndarray:
    """uint64 labels of ``block.read_roi`` (0: background)."""
    from dacapo.experiments.tasks.post_processors.watershed_post_processor import (
        WatershedPostProcessor,
    )

    processor = WatershedPostProcessor(offsets, long_range_bias=long_range_bias,
                                       min_object_size=min_object_size)
    processor.set_prediction(input_array)  # checks channels and dimensions
    labels = processor._segment_roi(block.read_roi, float(bias))
    return labels.astype(np.uint64, copy=False)
