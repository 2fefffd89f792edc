"""Config of a TIFF stack with user-given geometry."""

from __future__ import annotations

from pathlib import Path
from typing import List

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import as_list, to_coordinate, to_path
from dacapo.errors import ArrayNotFoundError

from .array_config import ArrayConfig
from .tiff_array import tiff_shape, validate_tiff_geometry


@attr.s
class TiffArrayConfig(ArrayConfig):
    """A (multi-page) TIFF file, or a folder of TIFF files stacked along a new
    first axis, read with ``tifffile``; TIFF stores no geometry, so offset,
    voxel size and axis names (including the stacking axis) are given here."""

    array_type = runtime_type(".tiff_array.TiffArray")

    file_name: Path = attr.ib(
        converter=to_path,
        metadata={
            "help_text": "The TIFF file (.tif / .tiff), or a folder of TIFF files (e.g. "
            "one 2D slice each) read as a stack along the first axis, in name order "
            "(digit runs compared as numbers: img2 before img10)."
        },
    )
    offset: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={"help_text": "World position of the first voxel, one entry per spatial axis."},
    )
    voxel_size: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={"help_text": "World units per voxel, one entry per spatial axis."},
    )
    axis_names: List[str] = attr.ib(
        converter=as_list,
        metadata={
            "help_text": "One name per axis of the stored data, e.g. ['z', 'y', 'x']; "
            "'c' marks a channel axis."
        },
    )
    units: List[str] = attr.ib(
        factory=list,
        converter=as_list,
        metadata={"help_text": "Unit of each spatial axis, e.g. ['nm', 'nm', 'nm'] (optional)."},
    )

    def check_values(self) -> None:
        """Offset, voxel size and units agree with the spatial axes of ``axis_names``,
        voxel sizes are positive and the offset is on the voxel grid."""
        # the data's shape is not read here: give one of the configured axis count
        validate_tiff_geometry(self, [0] * len(self.axis_names), f"TiffArrayConfig {self.name!r}")

    def validate(self) -> None:
        """The fields, and the geometry against the TIFF data's shape."""
        where = f"TiffArrayConfig {self.name!r}"
        if not (self.file_name.is_file() or self.file_name.is_dir()):
            raise ArrayNotFoundError(
                f"{where}: TIFF file or folder {self.file_name} does not exist; check file_name"
            )
        validate_tiff_geometry(self, tiff_shape(self.file_name, where), where)
