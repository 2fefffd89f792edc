"""DaCapo's gunpowder nodes (one per module), used by the gunpowder trainer."""

from .copy_mask import CopyMask
from .dacapo_array_source import DaCapoArraySource
from .dacapo_target_filter import DaCapoTargetFilter
from .device_ground_truth import DeviceGroundTruth
from .elastic_augment import ElasticAugment
from .gamma_augment import GammaAugment
from .graph_source import GraphSource
from .product import Product
from .reject_if_empty import RejectIfEmpty

__all__ = [
    "CopyMask",
    "DaCapoArraySource",
    "DaCapoTargetFilter",
    "DeviceGroundTruth",
    "ElasticAugment",
    "GammaAugment",
    "GraphSource",
    "Product",
    "RejectIfEmpty",
]
