"""Writing synthetic crops into a zarr container, slab by slab."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

from . import _synthetic_blocks as blocks
from ._synthetic_noise import splitmix64
from ._synthetic_params import make_params, validate_seed, validate_shape, validate_world
from ._synthetic_structure import CLASS_NAMES

logger = logging.getLogger(__name__)

DATASETS = {
    "raw": np.uint8,
    "labels": np.uint64,
    "mask": np.uint8,
    "semantic": np.uint8,
}


def write_container(
    path: Path,
    *,
    train_crops,
    validate_crops,
    shape,
    voxel_size,
    seed,
    offset,
    group_names,
    chunk_size,
    overwrite,
    params,
) -> Path:
    """Builds the container in a temporary folder next to ``path``, then moves it there."""
    shape = validate_shape(shape)
    seed = validate_seed(seed)
    voxel_size, offset = validate_world(shape, voxel_size, offset)
    settings = make_params(params)
    counts = _check_layout(train_crops, validate_crops, group_names, chunk_size)
    _check_target(path, overwrite)
    temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        root = _open_group(temporary)
        root.attrs["synthetic"] = {
            "seed": seed,
            "class_names": {str(k): v for k, v in CLASS_NAMES.items()},
        }
        for group_index, (group, count) in enumerate(zip(group_names, counts)):
            for crop in range(count):
                crop_seed = derived_seed(seed, group_index, crop)
                node = root.require_group(f"{group}/crop{crop}")
                _write_crop(
                    node, settings, crop_seed, shape, voxel_size, offset, chunk_size
                )
        _move_into_place(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    logger.info("wrote synthetic container %s", path)
    return path


def derived_seed(seed: int, group: int, crop: int) -> int:
    """The seed of crop ``crop`` of group ``group`` (0 = train, 1 = validate)."""
    key = np.array([seed], dtype=np.uint64)
    for value in (group, crop):
        key = splitmix64(key ^ splitmix64(np.array([value + 1], dtype=np.uint64)))
    return int(key[0])


def _check_layout(
    train_crops, validate_crops, group_names, chunk_size
) -> tuple[int, int]:
    for name, value, least in (
        ("train_crops", train_crops, 1),
        ("validate_crops", validate_crops, 0),
        ("chunk_size", chunk_size, 1),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or value < least
        ):
            raise ConfigError(
                f"synthetic container: `{name}` must be an integer >= {least}, got {value!r}"
            )
    train, validate = group_names
    for name in group_names:
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            raise ConfigError(
                f"synthetic container: group name {name!r} must be a non-empty string "
                f"without '/' that does not start with '.'"
            )
    if train == validate:
        raise ConfigError(
            f"synthetic container: `train_group_name` and `validate_group_name` are both "
            f"{train!r}; give them different names"
        )
    return int(train_crops), int(validate_crops)


def _check_target(path: Path, overwrite: bool) -> None:
    if not path.exists() and not path.is_symlink():
        return
    if not overwrite:
        raise ConfigError(
            f"synthetic container: {str(path)!r} already exists; pass overwrite=True to "
            f"replace it or choose another path"
        )
    if not (path.is_dir() and (path / ".zgroup").is_file()):
        raise ConfigError(
            f"synthetic container: {str(path)!r} exists and is not a zarr group; "
            f"refusing to replace it even with overwrite=True"
        )


def _open_group(path: Path):
    import zarr

    return zarr.open_group(str(path), mode="w")


def _write_crop(
    node,
    settings,
    seed,
    shape,
    voxel_size: Coordinate,
    offset: Coordinate,
    chunk_size: int,
) -> None:
    """Generates one crop slab by slab into the zarr group ``node``."""
    chunks = tuple(min(chunk_size, s) for s in shape)
    axes = ["z", "y", "x"][-len(shape) :]
    arrays = {}
    for name, dtype in DATASETS.items():
        array = node.create_dataset(name, shape=shape, chunks=chunks, dtype=dtype)
        array.attrs.update(
            {
                "resolution": list(voxel_size),
                "offset": list(offset),
                "axes": axes,
                "units": ["nm"] * len(shape),
            }
        )
        arrays[name] = array
    arrays["semantic"].attrs["class_names"] = {
        str(k): v for k, v in CLASS_NAMES.items()
    }
    centres = []
    for z0, z1 in blocks.slabs(shape, chunks[0]):
        start, stop = (z0,) + (0,) * (len(shape) - 1), (z1,) + shape[1:]
        block = blocks.render_block(settings, seed, shape, start, stop)
        for name, array in arrays.items():
            array[z0:z1] = getattr(block, name)
        centres.append(block.centres)
    points = blocks.sample_positions(centres, shape, settings.num_sample_points)
    node.attrs["sample_points"] = [
        list(offset + voxel_size * Coordinate(p)) for p in points
    ]


def _move_into_place(temporary: Path, path: Path) -> None:
    """Renames the finished container to ``path``, replacing an old one last."""
    if not path.exists():
        os.replace(temporary, path)
        return
    old = path.parent / f".{path.name}.{uuid.uuid4().hex}.old"
    os.replace(path, old)
    os.replace(temporary, path)
    shutil.rmtree(old, ignore_errors=True)
