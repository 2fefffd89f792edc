"""Config of the dummy trainer: random batches, for tests and demos."""

from __future__ import annotations

import attr

from dacapo._lazy import runtime_type

from ._checks import check_bool, check_optimisation
from .trainer_config import TrainerConfig


@attr.s
class DummyTrainerConfig(TrainerConfig):
    """Trains on random noise towards a zero target; needs no data."""

    trainer_type = runtime_type("dacapo.experiments.trainers.dummy_trainer.DummyTrainer")

    mirror_augment: bool = attr.ib(
        metadata={"help_text": "Randomly mirror the raw noise along the spatial axes."}
    )

    def validate(self) -> None:
        check_optimisation(self)
        check_bool(self, "mirror_augment")
