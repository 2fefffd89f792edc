"""Config of the dummy trainer: random batches, for tests and demos."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_bool, check_int, check_number, owner_of

from .trainer_config import TrainerConfig


@attr.s
class DummyTrainerConfig(TrainerConfig):
    """Trains on random noise towards a zero target; needs no data."""

    trainer_type = runtime_type(".dummy_trainer.DummyTrainer")

    mirror_augment: bool = attr.ib(
        metadata={"help_text": "Randomly mirror the raw noise along the spatial axes."}
    )

    def check_values(self) -> None:
        owner = owner_of(self)
        check_int(owner, "batch_size", self.batch_size, 1)
        check_number(owner, "learning_rate", self.learning_rate, 0, strict=True)
        check_bool(owner, "mirror_augment", self.mirror_augment)
