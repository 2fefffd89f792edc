"""The demo's synthetic EM-like data: training and validation crops, and a
larger volume to segment, each with the ground truth of the two runs.

Besides what ``dacapo.utils.synthetic`` writes (``raw``, ``labels``,
``semantic``, ``mask``), every crop and the volume hold ``cells`` (one id per
cell, its organelles included; 0 on membranes and outside cells) and
``mito`` (1 inside mitochondria). In the crops, these two cover the crop
less ``MARGIN`` voxels on each side, so that every training sample and the
validation prediction see real raw data around them (not padding). A
container counts as written once its root carries ``demo_complete``; one
without it is written again.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path
from typing import Any, Dict

import numpy as np

from .layout import DemoLayout
from .runs import CONTEXT
from .settings import DemoSettings

logger = logging.getLogger(__name__)

__all__ = ["LOOK", "VOXEL_SIZE", "ensure_data", "cell_ids", "mito_mask"]

#: nm per voxel of every array
VOXEL_SIZE = (8, 8, 8)
#: the look of the tissue (see ``dacapo.utils.synthetic.generate_volume``): a
#: sharper image than the default (less blur) lets the small networks place
#: cell boundaries to the voxel within a few hundred iterations
LOOK: Dict[str, Any] = {"membrane_width": 2.0, "blur_sigma": 0.5, "noise_std": 8.0}
#: the seed of the crops; the volume's is the next one
SEED = 0
#: crops per group of ``data.zarr``
TRAIN_CROPS, VALIDATE_CROPS = 2, 1
#: voxels per axis of a chunk (and of the slabs derived arrays are written in)
CHUNK = 64
#: voxels of raw data around the crops' ground truth: the networks' context
MARGIN = CONTEXT
_COMPLETE = "demo_complete"


def ensure_data(layout: DemoLayout, settings: DemoSettings) -> None:
    """Writes the crops and the volume, unless they are written already."""
    if _complete(layout.data):
        logger.info("demo data: reusing %s", layout.data)
    else:
        _write_crops(layout.data, settings.crop_size)
    if _complete(layout.volume):
        logger.info("demo data: reusing %s", layout.volume)
    else:
        _write_volume(layout.volume, settings.volume_size)


def cell_ids(labels: np.ndarray) -> np.ndarray:
    """The id of the cell of each voxel: the synthetic ids ``3 L + 1`` (cell),
    ``3 L + 2`` (its mitochondrion) and ``3 L + 3`` (its vesicle) all become
    ``3 L + 1``; 0 stays 0."""
    cells = (labels - np.uint64(1)) // np.uint64(3) * np.uint64(3) + np.uint64(1)
    return np.where(labels > 0, cells, np.uint64(0)).astype(np.uint64)


def mito_mask(semantic: np.ndarray) -> np.ndarray:
    """1 where ``semantic`` is the mitochondrion class, else 0 (uint8)."""
    from dacapo.utils.synthetic import CLASS_NAMES

    mito = next(i for i, name in CLASS_NAMES.items() if name == "mitochondrion")
    return (semantic == mito).astype(np.uint8)


def _complete(path: Path) -> bool:
    import zarr

    try:
        return bool(zarr.open_group(str(path), mode="r").attrs.get(_COMPLETE, False))
    except (OSError, KeyError, ValueError, zarr.errors.GroupNotFoundError):
        return False


def _write_crops(path: Path, crop_size: int) -> None:
    """``train/crop<i>`` and ``test/crop0`` with the runs' ground truth."""
    import zarr

    from dacapo.utils.synthetic import write_synthetic_container

    logger.info("demo data: writing %d training and %d validation crops of %d³ voxels to %s",
                TRAIN_CROPS, VALIDATE_CROPS, crop_size, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_synthetic_container(
        path, train_crops=TRAIN_CROPS, validate_crops=VALIDATE_CROPS, shape=(crop_size,) * 3,
        voxel_size=VOXEL_SIZE, seed=SEED, chunk_size=CHUNK, overwrite=True, **LOOK,
    )
    root = zarr.open_group(str(path), mode="r+")
    for group in ("train", "test"):
        for crop in root[group].group_keys():
            _add_ground_truth(root[f"{group}/{crop}"])
    root.attrs[_COMPLETE] = True


def _add_ground_truth(crop: Any) -> None:
    """``cells`` and ``mito`` next to a crop's ``labels`` and ``semantic``,
    ``MARGIN`` voxels inside them."""
    labels, semantic = crop["labels"], crop["semantic"]
    attrs = labels.attrs.asdict()
    attrs["offset"] = [o + MARGIN * v for o, v in zip(attrs["offset"], VOXEL_SIZE)]
    shape = tuple(s - 2 * MARGIN for s in labels.shape)
    cells = _like(crop, "cells", shape, np.uint64, attrs)
    mito = _like(crop, "mito", shape, np.uint8, attrs)
    inner = (slice(MARGIN, -MARGIN),) * 2
    for z in range(0, shape[0], CHUNK):
        source = (slice(MARGIN + z, MARGIN + min(z + CHUNK, shape[0])),) + inner
        cells[z : z + CHUNK] = cell_ids(labels[source])
        mito[z : z + CHUNK] = mito_mask(semantic[source])
    low = np.asarray(attrs["offset"])
    high = low + np.asarray(shape) * np.asarray(VOXEL_SIZE)
    crop.attrs["sample_points"] = [  # those inside the ground truth
        point for point in crop.attrs.get("sample_points", [])
        if np.all(low <= np.asarray(point)) and np.all(np.asarray(point) < high)
    ]


def _like(group: Any, name: str, shape, dtype, attrs: Dict[str, Any]) -> Any:
    chunks = tuple(min(CHUNK, s) for s in shape)
    array = group.create_dataset(name, shape=shape, chunks=chunks, dtype=dtype, overwrite=True)
    array.attrs.update(attrs)
    return array


def _write_volume(path: Path, size: int) -> None:
    """``raw``, ``cells`` and ``mito`` of a ``size``³ volume, built next to
    ``path`` and moved into place when complete."""
    import zarr

    from dacapo.utils._synthetic_zarr import _move_into_place
    from dacapo.utils.synthetic import generate_volume

    logger.info("demo data: generating the %d³ volume to segment", size)
    volume = generate_volume((size,) * 3, seed=SEED + 1, voxel_size=VOXEL_SIZE, **LOOK)
    attrs = {"resolution": list(VOXEL_SIZE), "offset": [0, 0, 0], "axes": ["z", "y", "x"],
             "units": ["nm"] * 3}
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        root = zarr.open_group(str(temporary), mode="w")
        for name, data in (("raw", volume.raw), ("cells", cell_ids(volume.labels)),
                           ("mito", mito_mask(volume.semantic))):
            _like(root, name, data.shape, data.dtype, attrs)[:] = data
        root.attrs[_COMPLETE] = True
        _move_into_place(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    logger.info("demo data: wrote %s", path)
