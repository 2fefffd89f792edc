"""Base class of augmentation configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_field_types
from dacapo._registry import RegisteredConfig


@attr.s
class AugmentConfig(RegisteredConfig, registry_root=True, abstract=True):
    """Describes one augmentation of the training pipeline; subclasses implement
    ``node(raw_key, gt_key, mask_key)`` returning a gunpowder node."""

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made
