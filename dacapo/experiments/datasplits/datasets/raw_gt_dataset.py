"""A dataset of raw intensities, ground truth and an optional mask."""

from __future__ import annotations

from typing import List, Optional

from funlib.geometry import Coordinate

from dacapo._build import build
from dacapo.errors import ConfigError

from .arrays import Array
from .dataset import Dataset


class RawGTDataset(Dataset):
    """Opens the raw, ground-truth and mask arrays of a ``RawGTDatasetConfig``.

    Raises ``ConfigError`` when the arrays do not fit together: different
    numbers of spatial dimensions, raw and ground truth not overlapping, a
    mask on another grid than the ground truth, or sample points outside it.
    """

    def __init__(self, dataset_config):
        self.name = dataset_config.name
        self.weight = dataset_config.weight
        if dataset_config.raw_config is None:
            raise ConfigError(
                f"dataset {self.name!r}: raw_config is missing; a dataset needs raw data"
            )
        self.raw = _open(dataset_config.raw_config)
        self.gt = _open(dataset_config.gt_config)
        self.mask = _open(dataset_config.mask_config)
        self.sample_points = dataset_config.sample_points
        self.trust_gt = bool(getattr(dataset_config, "trust_gt", False))
        validate_geometry(self.name, self.raw, self.gt, self.mask, self.sample_points)


def _open(array_config) -> Optional[Array]:
    if array_config is None:
        return None
    return build(array_config)


def validate_geometry(
    name: str,
    raw: Array,
    gt: Optional[Array],
    mask: Optional[Array],
    sample_points: Optional[List[Coordinate]] = None,
) -> None:
    """Raises ``ConfigError`` unless the arrays of dataset ``name`` fit together."""
    if gt is not None:
        _check_overlap(name, "raw", raw, "gt", gt)
    if mask is not None:
        reference_name, reference = ("gt", gt) if gt is not None else ("raw", raw)
        _check_overlap(name, reference_name, reference, "mask", mask)
        if gt is not None and mask.voxel_size != gt.voxel_size:
            raise ConfigError(
                f"dataset {name!r}: mask {mask.name!r} has voxel size {mask.voxel_size} "
                f"but gt {gt.name!r} has {gt.voxel_size}; the mask must lie on the "
                "ground truth's grid (resample one of them)"
            )
    reference = gt if gt is not None else raw
    for point in sample_points or []:
        if len(point) != reference.dims or not reference.roi.contains(point):
            raise ConfigError(
                f"dataset {name!r}: sample point {tuple(point)} is not inside the ROI "
                f"{reference.roi} of {reference.name!r}; remove it or fix its coordinates "
                "(world units)"
            )


def _check_overlap(name: str, a_name: str, a: Array, b_name: str, b: Array) -> None:
    if a.dims != b.dims:
        raise ConfigError(
            f"dataset {name!r}: {a_name} {a.name!r} has {a.dims} spatial dimensions "
            f"(voxel size {a.voxel_size}) but {b_name} {b.name!r} has {b.dims} "
            f"(voxel size {b.voxel_size}); both must have the same number"
        )
    if a.roi.intersect(b.roi).empty:
        raise ConfigError(
            f"dataset {name!r}: {a_name} {a.name!r} (ROI {a.roi}) and {b_name} "
            f"{b.name!r} (ROI {b.roi}) do not overlap; check their offsets (world "
            "units) and voxel sizes"
        )
