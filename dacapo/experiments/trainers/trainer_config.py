"""Base class of trainer configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_field_types
from dacapo._registry import RegisteredConfig


@attr.s
class TrainerConfig(
    RegisteredConfig, registry_root=True, runtime="trainer_type", abstract=True
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

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made
