"""Config of a raw-only dataset of dummy data, for tests."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .arrays import ArrayConfig, DummyArrayConfig
from .dataset_config import DatasetConfig


@attr.s(hash=False)
class DummyDatasetConfig(DatasetConfig):
    """A dataset with only a raw array (by default a ``DummyArrayConfig``); a test fixture."""

    dataset_type = runtime_type(".dummy_dataset.DummyDataset")
    # a test fixture: never valid (as upstream), yet built without validation
    _fixture = True

    raw_config: ArrayConfig = attr.ib(
        default=attr.Factory(lambda: DummyArrayConfig("dummy_array")),
        metadata={"help_text": "The raw array of this dataset."},
    )

    def validate(self) -> None:
        """Always fails: a dummy dataset has no ground truth to train on."""
        raise ConfigError(
            f"DummyDatasetConfig {self.name!r} is a test fixture without ground truth; "
            "use a RawGTDatasetConfig for real data"
        )
