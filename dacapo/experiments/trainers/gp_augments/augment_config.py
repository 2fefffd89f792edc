"""Base class of augmentation configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class AugmentConfig(CheckedConfig, RegisteredConfig, registry_root=True, abstract=True):
    """Describes one augmentation of the training pipeline; subclasses implement
    ``node(raw_key, gt_key, mask_key)`` returning a gunpowder node."""
