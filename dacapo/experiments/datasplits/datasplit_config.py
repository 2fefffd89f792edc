"""Base class of datasplit configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class DataSplitConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="datasplit_type", abstract=True
):
    """Describes the training and validation datasets; ``datasplit_type(config)`` builds them."""

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this datasplit, used to store its config."}
    )
