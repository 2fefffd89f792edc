"""Architecture configs and architectures."""

from dacapo._lazy import lazy_exports

from .architecture_config import ArchitectureConfig  # noqa: F401
from .cnnectome_unet_config import CNNectomeUNetConfig  # noqa: F401
from .dummy_architecture_config import DummyArchitectureConfig  # noqa: F401
from .model_zoo_config import ModelZooConfig  # noqa: F401
from .wrapped_architecture_config import WrappedArchitectureConfig  # noqa: F401

# Runtime architectures import torch, so they load on first use.
_LAZY_ARCHITECTURES = {
    "Architecture": "architecture",
    "CNNectomeUNet": "cnnectome_unet",
    "DummyArchitecture": "dummy_architecture",
    "ModelZooArchitecture": "model_zoo_architecture",
    "WrappedArchitecture": "wrapped_architecture",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY_ARCHITECTURES)
