"""Trainer configs and trainers."""

from dacapo._lazy import lazy_exports

from .dummy_trainer_config import DummyTrainerConfig
from .gp_augments import AugmentConfig
from .gunpowder_trainer_config import GunpowderTrainerConfig
from .trainer_config import TrainerConfig

# Runtime trainers import torch and gunpowder, so they load on first use.
_LAZY_TRAINERS = {
    "Trainer": "trainer",
    "DummyTrainer": "dummy_trainer",
    "GunpowderTrainer": "gunpowder_trainer",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY_TRAINERS)

__all__ = [
    "AugmentConfig",
    "DummyTrainer",
    "DummyTrainerConfig",
    "GunpowderTrainer",
    "GunpowderTrainerConfig",
    "Trainer",
    "TrainerConfig",
]
