"""Config of a TIFF stack with user-given geometry."""

from __future__ import annotations

from pathlib import Path
from typing import List

import attr
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

from .array_config import ArrayConfig
from .tiff_array import TiffArray, check_tiff_geometry


@attr.s
class TiffArrayConfig(ArrayConfig):
    """A (multi-page) TIFF file read with ``tifffile``; TIFF stores no geometry,
    so offset, voxel size and axis names are given here."""

    array_type = TiffArray

    file_name: Path = attr.ib(
        converter=Path, metadata={"help_text": "The TIFF file (.tif / .tiff)."}
    )
    offset: Coordinate = attr.ib(
        converter=Coordinate,
        metadata={"help_text": "World position of the first voxel, one entry per spatial axis."},
    )
    voxel_size: Coordinate = attr.ib(
        converter=Coordinate,
        metadata={"help_text": "World units per voxel, one entry per spatial axis."},
    )
    axis_names: List[str] = attr.ib(
        converter=list,
        metadata={
            "help_text": "One name per axis of the stored data, e.g. ['z', 'y', 'x']; "
            "'c' marks a channel axis."
        },
    )
    units: List[str] = attr.ib(
        factory=list,
        converter=list,
        metadata={"help_text": "Unit of each spatial axis, e.g. ['nm', 'nm', 'nm'] (optional)."},
    )

    def validate(self) -> None:
        where = f"TiffArrayConfig {self.name!r}"
        if not self.file_name.is_file():
            raise ConfigError(f"{where}: TIFF file {self.file_name} does not exist")
        import tifffile

        try:
            with tifffile.TiffFile(str(self.file_name)) as tiff:
                shape = tiff.series[0].shape
        except Exception as error:
            raise ConfigError(f"{where}: {self.file_name} is not a readable TIFF ({error})")
        check_tiff_geometry(self, shape, where)
