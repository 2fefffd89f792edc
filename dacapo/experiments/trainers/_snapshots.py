"""Training snapshots: the arrays of one batch written to ``snapshot.zarr``."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, NamedTuple

import numpy as np
from funlib.geometry import Coordinate, Roi

logger = logging.getLogger(__name__)


class SnapshotArray(NamedTuple):
    """One array of a snapshot: data ``(b, [c,] *spatial)`` and its world geometry."""

    data: np.ndarray
    roi: Roi
    voxel_size: Coordinate


def write_snapshot(container: Any, iteration: int, arrays: Dict[str, SnapshotArray]) -> None:
    """Writes ``arrays`` to ``<container>/<iteration>/volumes/<name>``.

    Each dataset gets DaCapo's metadata: ``resolution`` (voxel size),
    ``offset`` (world units) and ``axes`` (``b`` for the batch, ``c`` for
    channels, then spatial axes). Booleans are stored as uint8.
    """
    import zarr

    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import open_store

    root = zarr.open_group(open_store(container, mode="a"), mode="a")
    for name, array in arrays.items():
        data = np.asarray(array.data)
        if data.dtype == bool:
            data = data.astype(np.uint8)
        dataset = root.create_dataset(
            f"{iteration}/volumes/{name}", data=data, chunks=data.shape, overwrite=True
        )
        dataset.attrs.update(
            {
                "resolution": [int(v) for v in array.voxel_size],
                "offset": [int(v) for v in array.roi.offset],
                "axes": _axes(data.ndim, array.roi.dims),
            }
        )
    logger.debug("wrote snapshot of iteration %d to %s", iteration, container)


def _axes(ndim: int, dims: int) -> List[str]:
    spatial = ["z", "y", "x"][-dims:] if dims <= 3 else [f"d{i}" for i in range(dims)]
    return (["b", "c"][: ndim - dims]) + spatial
