"""Augmentation configs of the gunpowder trainer."""

from .augment_config import AugmentConfig
from .elastic_config import ElasticAugmentConfig
from .gamma_config import GammaAugmentConfig
from .intensity_config import IntensityAugmentConfig
from .intensity_scale_shift_config import IntensityScaleShiftAugmentConfig
from .noise_config import NoiseAugmentConfig
from .simple_config import SimpleAugmentConfig

__all__ = [
    "AugmentConfig",
    "ElasticAugmentConfig",
    "GammaAugmentConfig",
    "IntensityAugmentConfig",
    "IntensityScaleShiftAugmentConfig",
    "NoiseAugmentConfig",
    "SimpleAugmentConfig",
]
