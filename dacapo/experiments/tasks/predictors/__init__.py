"""predictors."""

from .affinities_predictor import AffinitiesPredictor
from .distance_predictor import DistancePredictor
from .dummy_predictor import DummyPredictor
from .hot_distance_predictor import HotDistancePredictor
from .inner_distance_predictor import InnerDistancePredictor
from .one_hot_predictor import OneHotPredictor
from .predictor import Predictor

__all__ = [
    "AffinitiesPredictor",
    "DistancePredictor",
    "DummyPredictor",
    "HotDistancePredictor",
    "InnerDistancePredictor",
    "OneHotPredictor",
    "Predictor",
]
