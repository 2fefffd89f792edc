"""Losses: how a prediction is compared with its target during training."""

from .affinities_loss import AffinitiesLoss
from .cross_entropy_loss import CrossEntropyLoss
from .dice_loss import DiceLoss
from .dummy_loss import DummyLoss
from .hot_distance_loss import HotDistanceLoss
from .loss import Loss
from .mse_loss import MSELoss

__all__ = [
    "AffinitiesLoss",
    "CrossEntropyLoss",
    "DiceLoss",
    "DummyLoss",
    "HotDistanceLoss",
    "Loss",
    "MSELoss",
]
