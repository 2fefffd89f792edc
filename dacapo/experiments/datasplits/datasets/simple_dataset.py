"""A dataset found by convention: ``raw``, ``labels`` and ``mask`` side by side."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import List, Optional, Tuple

import numpy as np
from funlib.geometry import Coordinate

from dacapo._build import build
from dacapo._paths import as_path
from dacapo.errors import ConfigError

from .arrays import (
    BinarizeArrayConfig,
    IntensitiesArrayConfig,
    LogicalOrArrayConfig,
    ZarrArrayConfig,
)
from .raw_gt_dataset import RawGTDataset
from .raw_gt_dataset_config import RawGTDatasetConfig

# integer raw dtypes and the value that becomes 1.0 after normalisation
RAW_SCALES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


class SimpleDataset(RawGTDataset):
    """Opens ``<path>/<raw_name>``, ``<path>/<gt_name>`` and, if present, ``<path>/<mask_name>``.

    ``path`` is a group inside a zarr or N5 container, e.g.
    ``data.zarr/train/crop0``. Raw data is normalised by its dtype: uint8 is
    divided by 255 and uint16 by 65535 (giving float32 in [0, 1]); floating
    point data is used as it is; other dtypes are rejected. The mask, if any,
    must be boolean or integer; every value > 0 counts as annotated. A
    ``sample_points`` attribute of the group (world-unit coordinates, as the
    synthetic data writes it) becomes the dataset's sample points.
    """

    def __init__(
        self,
        name: str,
        path: Path,
        raw_name: str = "raw",
        gt_name: str = "labels",
        mask_name: str = "mask",
        weight: int = 1,
    ):
        self.path = path
        self.config = simple_dataset_config(
            name, path, raw_name, gt_name, mask_name, weight=weight
        )
        super().__init__(self.config)


def simple_dataset_config(
    name: str,
    path: Path,
    raw_name: str = "raw",
    gt_name: str = "labels",
    mask_name: str = "mask",
    weight: int = 1,
    array_prefix: Optional[str] = None,
    trust_gt: bool = False,
) -> RawGTDatasetConfig:
    """The ``RawGTDatasetConfig`` of the arrays below ``path`` (see ``SimpleDataset``).

    Args:
        array_prefix: Start of the names of the array configs (default ``name``);
            make it unique when the configs are stored.
        trust_gt: The dataset config's ``trust_gt``.
    """
    container, group = split_container(as_path(path))
    prefix = array_prefix or name

    def zarr_config(role: str, dataset: str) -> ZarrArrayConfig:
        return ZarrArrayConfig(
            name=f"{prefix}_{role}",
            file_name=container,
            dataset=f"{group}/{dataset}" if group else dataset,
            mode="r",
        )

    raw = zarr_config("raw", raw_name)
    gt = zarr_config("gt", gt_name)
    mask = zarr_config("mask", mask_name)
    for config in (raw, gt):
        _require(name, config)
    return RawGTDatasetConfig(
        name=name,
        weight=weight,
        raw_config=_normalised_raw(name, raw),
        gt_config=gt,
        mask_config=_binary_mask(name, mask) if _exists(mask) else None,
        sample_points=_sample_points(name, container, group),
        trust_gt=trust_gt,
    )


def split_container(path: PurePath) -> Tuple[PurePath, str]:
    """``data.zarr/train/crop0`` -> (``data.zarr``, ``"train/crop0"``)."""
    parts = path.parts
    for index in range(len(parts) - 1, -1, -1):
        if parts[index].endswith((".zarr", ".n5")):
            depth = len(parts) - 1 - index  # components below the container
            container = path if depth == 0 else path.parents[depth - 1]
            return container, "/".join(parts[index + 1 :])
    raise ConfigError(
        f"{path} is not inside a zarr or N5 container; give a path such as "
        "'data.zarr' or 'data.zarr/train/crop0' (the container name must end in "
        ".zarr or .n5)"
    )


def _sample_points(name: str, container, group: str) -> Optional[List[Coordinate]]:
    """World-unit points from the group's ``sample_points`` attribute, if any."""
    import zarr

    from .arrays.zarr_array import open_store

    points = zarr.open_group(open_store(container, mode="r"), path=group, mode="r").attrs.get(
        "sample_points"
    )
    if points is None:
        return None
    if not isinstance(points, list) or not all(
        isinstance(p, list) and p and all(isinstance(v, int) for v in p) for p in points
    ):
        raise ConfigError(
            f"dataset {name!r}: the 'sample_points' attribute of {container}/{group} must be "
            f"a list of integer world coordinates like [[z, y, x], ...], got {points!r:.80}"
        )
    return [Coordinate(p) for p in points]


def _exists(config: ZarrArrayConfig) -> bool:
    from .arrays.zarr_array import dataset_exists

    return dataset_exists(config.file_name, config.dataset)


def _require(name: str, config: ZarrArrayConfig) -> None:
    if not _exists(config):
        raise ConfigError(
            f"dataset {name!r}: {config.file_name}/{config.dataset} does not exist; "
            "every dataset needs raw data and labels (check raw_name and gt_name)"
        )


def _dtype(config: ZarrArrayConfig) -> np.dtype:
    return np.dtype(build(config).dtype)


def _normalised_raw(name: str, raw: ZarrArrayConfig):
    dtype = _dtype(raw)
    if dtype in RAW_SCALES:
        return IntensitiesArrayConfig(
            name=f"{raw.name}_normalised",
            source_array_config=raw,
            min=0.0,
            max=RAW_SCALES[dtype],
        )
    if np.issubdtype(dtype, np.floating):
        return raw
    raise ConfigError(
        f"dataset {name!r}: raw data {raw.file_name}/{raw.dataset} has dtype {dtype}; "
        "expected uint8, uint16 or a floating point type. Convert it, or describe it "
        "with a RawGTDatasetConfig and an IntensitiesArrayConfig giving its range"
    )


def _binary_mask(name: str, mask: ZarrArrayConfig):
    dtype = _dtype(mask)
    if dtype == np.dtype(bool):
        return mask
    if not np.issubdtype(dtype, np.integer):
        raise ConfigError(
            f"dataset {name!r}: mask {mask.file_name}/{mask.dataset} has dtype {dtype}; "
            "expected a boolean or integer mask (values > 0 = annotated)"
        )
    binary = BinarizeArrayConfig(
        name=f"{mask.name}_binary", source_array_config=mask, groupings=[("mask", [])]
    )
    return LogicalOrArrayConfig(name=f"{mask.name}_positive", source_array_config=binary)
