"""Losses: how a prediction is compared with its target during training."""

from .loss import Loss  # noqa: F401
from .dummy_loss import DummyLoss  # noqa: F401
from .mse_loss import MSELoss  # noqa: F401
from .affinities_loss import AffinitiesLoss  # noqa: F401
from .hot_distance_loss import HotDistanceLoss  # noqa: F401
from .cross_entropy_loss import CrossEntropyLoss  # noqa: F401
from .dice_loss import DiceLoss  # noqa: F401
