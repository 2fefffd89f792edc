"""Base class of datasplit configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_field_types
from dacapo._registry import RegisteredConfig


@attr.s
class DataSplitConfig(
    RegisteredConfig, registry_root=True, runtime="datasplit_type", abstract=True
):
    """Describes the training and validation datasets; ``datasplit_type(config)`` builds them."""

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this datasplit, used to store its config."}
    )

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made
