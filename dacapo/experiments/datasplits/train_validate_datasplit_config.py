"""Config of a datasplit given as explicit lists of dataset configs."""

from __future__ import annotations

from collections import Counter
from typing import List

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .datasets import DatasetConfig
from .datasplit_config import DataSplitConfig


@attr.s
class TrainValidateDataSplitConfig(DataSplitConfig):
    """Trains on ``train_configs`` and validates on ``validate_configs``."""

    datasplit_type = runtime_type(".train_validate_datasplit.TrainValidateDataSplit")

    train_configs: List[DatasetConfig] = attr.ib(
        metadata={"help_text": "The datasets to train on (at least one)."}
    )
    validate_configs: List[DatasetConfig] = attr.ib(
        metadata={"help_text": "The datasets to validate on (may be empty)."}
    )

    def check_values(self) -> None:
        """There is training data and dataset names are unique."""
        super().check_values()
        if not self.train_configs:
            raise ConfigError(
                f"TrainValidateDataSplitConfig {self.name!r}: train_configs is empty; "
                "give at least one dataset config to train on"
            )
        for field in ("train_configs", "validate_configs"):
            configs = getattr(self, field)
            repeated = sorted(
                n for n, k in Counter(c.name for c in configs).items() if k > 1
            )
            if repeated:
                raise ConfigError(
                    f"TrainValidateDataSplitConfig {self.name!r}: {field} has several "
                    f"datasets named {repeated}; dataset names must be unique"
                )

    def validate(self) -> None:
        """The fields, and every dataset (which opens its arrays)."""
        super().validate()
        for field in ("train_configs", "validate_configs"):
            for config in getattr(self, field):
                try:
                    config.validate()
                except ConfigError as error:
                    raise ConfigError(
                        f"TrainValidateDataSplitConfig {self.name!r}, {field}: {error}"
                    ) from error
