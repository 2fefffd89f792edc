"""Trainer configs and trainers."""

from .dummy_trainer_config import DummyTrainerConfig  # noqa: F401
from .gp_augments import AugmentConfig  # noqa: F401
from .gunpowder_trainer_config import GunpowderTrainerConfig  # noqa: F401
from .trainer_config import TrainerConfig  # noqa: F401

# Runtime trainers import torch and gunpowder, so they load on first use.
_LAZY_TRAINERS = {
    "Trainer": "trainer",
    "DummyTrainer": "dummy_trainer",
    "GunpowderTrainer": "gunpowder_trainer",
}


def __getattr__(name: str):
    if name in _LAZY_TRAINERS:
        import importlib

        module = importlib.import_module(f"{__name__}.{_LAZY_TRAINERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
