"""Base class of architecture configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig


@attr.s
class ArchitectureConfig(
    RegisteredConfig, registry_root=True, runtime="architecture_type", abstract=True
):
    """Describes a network body; ``architecture_type(config)`` builds the torch module."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this architecture, used to store its config."}
    )
