"""Augmentation configs of the gunpowder trainer."""

from .augment_config import AugmentConfig  # noqa: F401
from .elastic_config import ElasticAugmentConfig  # noqa: F401
from .gamma_config import GammaAugmentConfig  # noqa: F401
from .intensity_config import IntensityAugmentConfig  # noqa: F401
from .intensity_scale_shift_config import IntensityScaleShiftAugmentConfig  # noqa: F401
from .noise_config import NoiseAugmentConfig  # noqa: F401
from .simple_config import SimpleAugmentConfig  # noqa: F401
