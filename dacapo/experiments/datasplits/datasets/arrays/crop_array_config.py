"""Config of a ROI-restricted view of another array."""

from __future__ import annotations

import attr
from funlib.geometry import Roi

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


@attr.s
class CropArrayConfig(ArrayConfig):
    """The source restricted to the intersection of ``roi`` and the source's ROI."""

    array_type = runtime_type(".crop_array.CropArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "The array to crop."}
    )
    roi: Roi = attr.ib(
        metadata={
            "help_text": "World-unit region to keep; only its overlap with the source's "
            "ROI is kept. It must lie on the source's voxel grid."
        }
    )

    @roi.validator
    def _check_roi(self, attribute, value):
        if not isinstance(value, Roi):
            raise ConfigError(
                f"CropArrayConfig {self.name!r}: `roi` must be a funlib Roi, got "
                f"{type(value).__name__} {value!r}"
            )

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
