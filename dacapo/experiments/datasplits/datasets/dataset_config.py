"""Base class of dataset configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_int, owner_of
from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s(hash=False)  # keep the name-based __hash__ below
class DatasetConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="dataset_type", abstract=True
):
    """Describes a dataset (raw, ground truth, mask); ``dataset_type(config)`` builds it."""

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this dataset, used to store its config."}
    )
    weight: int = attr.ib(
        default=1,
        metadata={"help_text": "Relative frequency with which training samples this dataset."},
    )

    def check_values(self) -> None:
        check_int(owner_of(self), "weight", self.weight, 0)

    def __hash__(self):
        return hash(self.name)
