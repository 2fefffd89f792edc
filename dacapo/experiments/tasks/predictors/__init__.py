"""predictors."""

from .dummy_predictor import DummyPredictor  # noqa: F401
from .predictor import Predictor  # noqa: F401
from .distance_predictor import DistancePredictor  # noqa: F401
from .one_hot_predictor import OneHotPredictor  # noqa: F401
from .affinities_predictor import AffinitiesPredictor  # noqa: F401
from .inner_distance_predictor import InnerDistancePredictor  # noqa: F401
from .hot_distance_predictor import HotDistancePredictor  # noqa: F401
