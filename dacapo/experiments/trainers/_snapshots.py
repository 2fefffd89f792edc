"""Training snapshots: the arrays of one batch written to ``snapshot.zarr``, one
dataset per sample, each at the world position the sample was taken from."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, NamedTuple, Optional

import numpy as np
from funlib.geometry import Coordinate, Roi

logger = logging.getLogger(__name__)


class SnapshotArray(NamedTuple):
    """One array of a snapshot: data ``(b, [c,] *spatial)`` and the geometry of
    each sample relative to the request (``roi``), before its sampling shift."""

    data: np.ndarray
    roi: Roi
    voxel_size: Coordinate


def write_snapshot(
    container: Any,
    iteration: int,
    arrays: Dict[str, SnapshotArray],
    shifts: Optional[np.ndarray] = None,
) -> None:
    """Writes sample ``i`` of each array to ``<container>/<iteration>/volumes/<name>/<i>``.

    ``shifts`` (``(b, dims)``, world units) is where each sample was taken
    relative to the request, so sample ``i`` lies at ``roi.offset +
    shifts[i]`` in the world: each dataset gets that as its ``offset``, so a
    viewer shows it over the raw data it came from. Each dataset gets DaCapo's
    metadata: ``resolution`` (voxel size), ``offset`` (world units) and
    ``axes`` (``c`` for channels, then spatial axes). Booleans are stored as
    uint8.
    """
    import zarr

    from dacapo.experiments.datasplits.datasets.arrays._ome_ngff import write_array_metadata
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import is_n5, open_store

    store = open_store(container, mode="a")
    root = zarr.open_group(store, mode="a")
    for name, array in arrays.items():
        data = np.asarray(array.data)
        if data.dtype == bool:
            data = data.astype(np.uint8)
        for sample in range(data.shape[0]):
            shift = Coordinate((0,) * array.roi.dims) if shifts is None else shifts[sample]
            path = f"{iteration}/volumes/{name}/{sample}"
            root.create_dataset(path, data=data[sample], chunks=data[sample].shape,
                                overwrite=True)
            write_array_metadata(
                store, path, _axes(data.ndim - 1, array.roi.dims),
                [int(v) for v in array.voxel_size],
                [int(o) + int(s) for o, s in zip(array.roi.offset, shift)], is_n5(container),
            )
    logger.debug("wrote snapshot of iteration %d to %s", iteration, container)


def _axes(ndim: int, dims: int) -> List[str]:
    spatial = ["z", "y", "x"][-dims:] if dims <= 3 else [f"d{i}" for i in range(dims)]
    return ["c"] * (ndim - dims) + spatial
