"""Losses: how a prediction is compared with its target during training."""

from .loss import Loss
from .dummy_loss import DummyLoss
from .mse_loss import MSELoss
from .affinities_loss import AffinitiesLoss
from .hot_distance_loss import HotDistanceLoss
from .cross_entropy_loss import CrossEntropyLoss
from .dice_loss import DiceLoss

__all__ = [
    "AffinitiesLoss",
    "CrossEntropyLoss",
    "DiceLoss",
    "DummyLoss",
    "HotDistanceLoss",
    "Loss",
    "MSELoss",
]
