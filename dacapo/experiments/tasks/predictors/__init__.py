"""predictors."""

from .dummy_predictor import DummyPredictor
from .predictor import Predictor
from .distance_predictor import DistancePredictor
from .one_hot_predictor import OneHotPredictor
from .affinities_predictor import AffinitiesPredictor
from .inner_distance_predictor import InnerDistancePredictor
from .hot_distance_predictor import HotDistancePredictor

__all__ = [
    "AffinitiesPredictor",
    "DistancePredictor",
    "DummyPredictor",
    "HotDistancePredictor",
    "InnerDistancePredictor",
    "OneHotPredictor",
    "Predictor",
]
