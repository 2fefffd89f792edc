"""Base class of post-processor parameter sets."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig


@attr.s(frozen=True)
class PostProcessorParameters(RegisteredConfig, registry_root=True, abstract=True):
    """One point of a post-processor's parameter grid, identified by ``id``."""

    id: int = attr.ib()

    @property
    def parameter_names(self):
        """Names of the parameters (every field but ``id``)."""
        return [a.name for a in attr.fields(type(self)) if a.name != "id"]

    def __str__(self) -> str:
        return "_".join(f"{n}_{getattr(self, n)}" for n in self.parameter_names) or f"id_{self.id}"
