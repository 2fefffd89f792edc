"""Base class of dataset configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_field_types
from dacapo._registry import RegisteredConfig


@attr.s(hash=False)  # keep the name-based __hash__ below
class DatasetConfig(
    RegisteredConfig, registry_root=True, runtime="dataset_type", abstract=True
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

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made

    def __hash__(self):
        return hash(self.name)
