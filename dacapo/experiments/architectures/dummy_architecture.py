"""A single 3x3x3 convolution, for tests and demos."""

from __future__ import annotations

import torch
from funlib.geometry import Coordinate

from .architecture import _FixedShapeArchitecture


class DummyArchitecture(_FixedShapeArchitecture):
    """``Conv3d(num_in_channels, num_out_channels, kernel_size=3)``, input (40, 20, 20)."""

    def __init__(self, architecture_config):
        super().__init__()
        self._set_shapes(
            Coordinate(40, 20, 20),
            architecture_config.num_in_channels,
            architecture_config.num_out_channels,
        )
        self.conv = torch.nn.Conv3d(self._num_in_channels, self._num_out_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)
