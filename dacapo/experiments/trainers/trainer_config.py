"""Base class of trainer configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class TrainerConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="trainer_type", abstract=True
):
    """Describes how batches are made and the optimisation settings;
    ``trainer_type(config)`` builds the trainer."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this trainer, used to store its config."}
    )
    batch_size: int = attr.ib(
        metadata={"help_text": "Number of samples in one training batch."}
    )
    learning_rate: float = attr.ib(
        metadata={"help_text": "Learning rate of the optimizer."}
    )
