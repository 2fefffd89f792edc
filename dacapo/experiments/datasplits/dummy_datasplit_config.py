"""Config of a datasplit of one dummy training dataset, for tests."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .datasets import DatasetConfig, DummyDatasetConfig
from .datasplit_config import DataSplitConfig


@attr.s
class DummyDataSplitConfig(DataSplitConfig):
    """One training dataset (a ``DummyDatasetConfig`` by default) and no validation."""

    datasplit_type = runtime_type(".dummy_datasplit.DummyDataSplit")
    # a test fixture: never valid (as upstream), yet built without validation
    _fixture = True

    train_config: DatasetConfig = attr.ib(
        default=attr.Factory(lambda: DummyDatasetConfig("dummy_dataset")),
        metadata={"help_text": "The dataset to train on."},
    )

    def validate(self) -> None:
        """Always fails: a dummy datasplit is a test fixture."""
        raise ConfigError(
            f"DummyDataSplitConfig {self.name!r} is a test fixture; use a "
            "TrainValidateDataSplitConfig or SimpleDataSplitConfig for real data"
        )
