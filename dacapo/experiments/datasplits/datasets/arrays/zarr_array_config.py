"""Config of a zarr or N5 dataset read from disk (or an fsspec URL)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import as_list, fail, to_coordinate, to_path
from dacapo.errors import ArrayNotFoundError, ConfigError

from ._zarr_containers import container_exists, dataset_exists, is_n5, list_datasets, open_store
from .array_config import ArrayConfig

OPEN_MODES = ("r", "r+", "a", "a+", "w", "w-")


def _check_mode(instance, attribute, value) -> None:
    if value not in OPEN_MODES:
        raise ConfigError(
            f"ZarrArrayConfig {instance.name!r}: mode {value!r} is not one of {OPEN_MODES}; "
            "use 'r' to open read-only or 'a' to allow writes"
        )


@attr.s
class ZarrArrayConfig(ArrayConfig):
    """A dataset inside a zarr (``.zarr``) or N5 (``.n5``) container.

    Geometry comes from the dataset's attributes (``resolution`` or
    ``voxel_size``, ``offset``, ``axes``), or from the OME-NGFF ``multiscales``
    metadata of its parent group when ``dataset`` names a scale level such as
    ``raw/s1``.
    """

    array_type = runtime_type(".zarr_array.ZarrArray")

    file_name: Path = attr.ib(
        converter=to_path,
        metadata={"help_text": "The container: a directory ending in .zarr or .n5 (or a URL)."},
    )
    dataset: str = attr.ib(
        metadata={"help_text": "Path of the dataset inside the container, e.g. 'raw/s0'."}
    )
    snap_to_grid: Optional[Coordinate] = attr.ib(
        default=None,
        converter=to_coordinate,
        metadata={
            "help_text": "If given, the array's ROI is shrunk to the grid of the least "
            "common multiple of this and the voxel size (world units)."
        },
    )
    _axes: Optional[List[str]] = attr.ib(
        default=None,
        converter=as_list,
        metadata={
            "help_text": "Axis names, e.g. ['c', 'z', 'y', 'x'], overriding the dataset's "
            "own metadata. 'c' is the channel axis, all others but 'b' are spatial."
        },
    )
    mode: str = attr.ib(
        default="a",
        validator=_check_mode,
        metadata={"help_text": "How to open the dataset: 'r' is read-only, 'a' allows writes."},
    )

    @property
    def axes(self) -> Optional[List[str]]:
        """The configured axis names (``None``: read them from the metadata)."""
        return self._axes

    def check_values(self) -> None:
        """``snap_to_grid`` (when given) is positive along every axis."""
        grid = self.snap_to_grid
        if grid is not None and not all(v > 0 for v in grid):
            fail(
                f"ZarrArrayConfig {self.name!r}", "snap_to_grid", grid,
                "positive integers (world units), one per spatial axis",
                "e.g. snap_to_grid=(8, 8, 8), or None to keep the stored offset",
            )

    def validate(self) -> None:
        """The fields, and that the container and the dataset exist."""
        super().validate()
        where = f"ZarrArrayConfig {self.name!r}"
        if not container_exists(self.file_name):
            raise ArrayNotFoundError(
                f"{where}: container {self.file_name} does not exist; check file_name"
            )
        if not (str(self.file_name).rstrip("/").endswith(".zarr") or is_n5(self.file_name)):
            raise ConfigError(
                f"{where}: container {self.file_name} does not end in .zarr or .n5; "
                "name the zarr/N5 container directory in file_name"
            )
        if not dataset_exists(self.file_name, self.dataset):
            present = list_datasets(open_store(self.file_name, "r"))
            raise ArrayNotFoundError(
                f"{where}: dataset {self.dataset!r} not found in container "
                f"{self.file_name}; datasets present: {', '.join(present) or '(none)'}"
            )
