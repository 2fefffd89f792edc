"""Config of a dataset made of a raw, a ground-truth and an optional mask array."""

from __future__ import annotations

from typing import List, Optional

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import to_coordinates
from dacapo.errors import ConfigError, DacapoError

from .arrays import ArrayConfig
from .dataset_config import DatasetConfig


@attr.s(hash=False)
class RawGTDatasetConfig(DatasetConfig):
    """Raw intensities with ground truth, an optional mask and sample points."""

    dataset_type = runtime_type(".raw_gt_dataset.RawGTDataset")

    raw_config: Optional[ArrayConfig] = attr.ib(
        default=None,
        metadata={"help_text": "The array of raw intensities the network sees."},
    )
    gt_config: Optional[ArrayConfig] = attr.ib(
        default=None,
        metadata={"help_text": "The array of ground-truth labels."},
    )
    mask_config: Optional[ArrayConfig] = attr.ib(
        default=None,
        metadata={
            "help_text": "Where the ground truth is known (0 = unknown, excluded from "
            "the loss). None: known everywhere in the ground truth's ROI."
        },
    )
    sample_points: Optional[List[Coordinate]] = attr.ib(
        default=None,
        converter=to_coordinates,
        metadata={
            "help_text": "World coordinates to centre training samples on. None: "
            "sample uniformly inside the ground truth."
        },
    )
    trust_gt: bool = attr.ib(
        default=False,
        kw_only=True,
        metadata={
            "help_text": "Use the ground truth's values as they are stored. Tasks that read "
            "labels (distance, affinities, one-hot, ...) otherwise refuse float ground "
            "truth and negative ids; set this only when such values really are labels."
        },
    )

    def validate(self) -> None:
        """Checks the fields, and that raw and ground truth are given, open and overlap."""
        super().validate()
        for field in ("raw_config", "gt_config"):
            if getattr(self, field) is None:
                raise ConfigError(
                    f"RawGTDatasetConfig {self.name!r}: {field} is missing; give the "
                    "ArrayConfig of the "
                    + ("raw intensities" if field == "raw_config" else "ground truth")
                )
        for field in ("raw_config", "gt_config", "mask_config"):
            config = getattr(self, field)
            if config is not None:
                try:
                    config.validate()
                except ConfigError as error:
                    error.with_context(f"RawGTDatasetConfig {self.name!r}, {field}")
                    raise
        try:
            type(self).dataset_type(self)  # the class itself: build() would validate again
        except ConfigError:
            raise
        except (DacapoError, OSError) as error:
            raise ConfigError(
                f"RawGTDatasetConfig {self.name!r}: cannot open its arrays: {error}"
            ) from error
