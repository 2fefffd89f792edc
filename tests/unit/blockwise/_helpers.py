"""Small zarr datasets for the blockwise tests (unit and integration)."""

from __future__ import annotations

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray


def create_dataset(container, dataset, data=None, *, roi=None, dtype=None, voxel_size=(1, 1, 1),
                   channels=None, write_size=None):
    """A zarr dataset (``data`` written over its whole ROI); returns its identifier."""
    identifier = LocalArrayIdentifier(container, dataset)
    voxel_size = Coordinate(voxel_size)
    if roi is None:
        shape = Coordinate(np.shape(data)[-voxel_size.dims:])
        roi = Roi((0,) * voxel_size.dims, shape * voxel_size)
    dtype = dtype or np.asarray(data).dtype
    axes = ["z", "y", "x"][-voxel_size.dims:]
    array = ZarrArray.create_from_array_identifier(
        identifier, axes, roi, channels, voxel_size, dtype, write_size=write_size, overwrite=True
    )
    if data is not None:
        array[roi] = data
    return identifier


def read(identifier):
    """The whole dataset as numpy."""
    array = ZarrArray.open_from_array_identifier(identifier)
    return array[array.roi]
