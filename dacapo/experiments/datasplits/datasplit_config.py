"""Base class of datasplit configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig


@attr.s
class DataSplitConfig(
    RegisteredConfig, registry_root=True, runtime="datasplit_type", abstract=True
):
    """Describes the training and validation datasets; ``datasplit_type(config)`` builds them."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this datasplit, used to store its config."}
    )
