"""A bring-your-own torch module as the network body."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

from ._freezing import freeze_parameters
from .architecture import _FixedShapeArchitecture

logger = logging.getLogger(__name__)


class WrappedArchitecture(_FixedShapeArchitecture):
    """Runs the module of a ``WrappedArchitectureConfig``; its weights are kept."""

    kaiming_init = False

    def __init__(self, architecture_config):
        super().__init__()
        config = architecture_config
        self.name = config.name
        owner = f"WrappedArchitectureConfig {config.name!r}"
        module = config.module
        if isinstance(module, Path):
            module = load_module(module, owner)
        if not isinstance(module, torch.nn.Module):
            raise ConfigError(
                f"{owner}: module must be a torch.nn.Module, got {type(module).__name__}"
            )
        self.module = module
        self._set_shapes(
            config.input_shape, config.fmaps_in, config.fmaps_out, config.eval_shape_increase
        )
        self._scale = config.scale
        freeze_parameters(self.module, config.trainable_parameters, owner)

    def scale(self, input_voxel_size: Coordinate) -> Coordinate:
        """``input_voxel_size / scale`` (the same voxel size without ``scale``)."""
        voxel_size = self.check_voxel_size(input_voxel_size)
        if self._scale is None:
            return voxel_size
        if any(v % s for v, s in zip(voxel_size, self._scale)):
            raise ConfigError(
                f"WrappedArchitectureConfig {self.name!r}: voxel size {voxel_size} is not "
                f"divisible by scale {self._scale}"
            )
        return voxel_size / self._scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)


def load_module(path: Path, owner: str) -> torch.nn.Module:
    """Loads a TorchScript file, or else a whole module saved with ``torch.save``."""
    try:
        with warnings.catch_warnings():  # TorchScript is deprecated but still supported
            warnings.simplefilter("ignore", DeprecationWarning)
            return torch.jit.load(str(path), map_location="cpu")
    except (RuntimeError, ValueError):
        pass  # not a TorchScript archive
    logger.warning(
        "%s: unpickling the module in %s runs code stored in that file; only load files "
        "you trust (TorchScript files are safer)",
        owner,
        path,
    )
    try:
        module = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:  # unpickling fails in many ways
        raise ConfigError(
            f"{owner}: cannot load a torch module from {str(path)!r}: {error}"
        ) from error
    if not isinstance(module, torch.nn.Module):
        raise ConfigError(
            f"{owner}: {str(path)!r} holds a {type(module).__name__}, not a torch module; "
            "for a state dict, build the module in Python, load the state dict into it "
            "and pass the module itself"
        )
    return module
