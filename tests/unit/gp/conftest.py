"""Fixtures for the gunpowder node tests: in-memory sources and one-shot requests."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.gp import DaCapoArraySource


def numpy_array(
    data: np.ndarray,
    voxel_size: Optional[Sequence[int]] = None,
    offset: Optional[Sequence[int]] = None,
) -> NumpyArray:
    """``data`` as a NumpyArray; leading axes beyond ``voxel_size`` are channels."""
    voxel_size = Coordinate(voxel_size or (1,) * data.ndim)
    dims = voxel_size.dims
    offset = Coordinate(offset or (0,) * dims)
    roi = Roi(offset, Coordinate(data.shape[-dims:]) * voxel_size)
    axes = ["c"] * (data.ndim - dims) + list("zyx"[-dims:])
    return NumpyArray.from_np_array(data, roi, voxel_size, axes)


@pytest.fixture
def source():
    """``source(key, data, voxel_size=None, offset=None, interpolatable=None)``."""

    def make(key, data, voxel_size=None, offset=None, interpolatable=None):
        array = numpy_array(np.asarray(data), voxel_size, offset)
        return DaCapoArraySource(array, key, interpolatable=interpolatable)

    return make


@pytest.fixture
def fetch():
    """``fetch(pipeline, {key: roi}, seed=None)``: builds the pipeline, returns one batch."""

    def run(pipeline, rois: Dict, seed: Optional[int] = None) -> gp.Batch:
        request = gp.BatchRequest(random_seed=seed)
        for key, roi in rois.items():
            if isinstance(key, gp.GraphKey):
                request[key] = gp.GraphSpec(roi=roi)
            else:
                request[key] = gp.ArraySpec(roi=roi)
        with gp.build(pipeline):
            return pipeline.request_batch(request)

    return run
