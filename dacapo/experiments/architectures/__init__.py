"""Architecture configs and architectures."""

from dacapo._lazy import lazy_exports

from .architecture_config import ArchitectureConfig
from .cnnectome_unet_config import CNNectomeUNetConfig
from .dummy_architecture_config import DummyArchitectureConfig
from .model_zoo_config import ModelZooConfig
from .wrapped_architecture_config import WrappedArchitectureConfig

# Runtime architectures import torch, so they load on first use.
_LAZY_ARCHITECTURES = {
    "Architecture": "architecture",
    "CNNectomeUNet": "cnnectome_unet",
    "DummyArchitecture": "dummy_architecture",
    "ModelZooArchitecture": "model_zoo_architecture",
    "WrappedArchitecture": "wrapped_architecture",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY_ARCHITECTURES)

__all__ = [
    "Architecture",
    "ArchitectureConfig",
    "CNNectomeUNet",
    "CNNectomeUNetConfig",
    "DummyArchitecture",
    "DummyArchitectureConfig",
    "ModelZooArchitecture",
    "ModelZooConfig",
    "WrappedArchitecture",
    "WrappedArchitectureConfig",
]
