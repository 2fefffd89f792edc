"""The CNNectome U-Net architecture."""

from __future__ import annotations

import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

from ._unet_blocks import ConvPass, UNet, Upsample
from .architecture import _FixedShapeArchitecture


class CNNectomeUNet(_FixedShapeArchitecture):
    """A U-Net (see ``CNNectomeUNetConfig``), optionally followed by extra
    upsampling steps that make the output finer than the input.

    Each extra upsampling step is followed by a conv pass with the kernels of
    the top decoder level. The input shape is checked on every forward pass: a
    shape that does not fit raises ``ConfigError`` naming the level and sizes
    that would work.
    """

    def __init__(self, architecture_config):
        super().__init__()
        config = architecture_config
        config.validate()
        self.name = config.name
        self._set_shapes(
            config.input_shape, config.fmaps_in, config.fmaps_out, config.eval_shape_increase
        )
        self._upsample_factors = list(config.upsample_factors or [])
        self._geometry = config.geometry()
        self.unet = UNet(
            self._geometry,
            config.fmaps_in,
            config.num_fmaps,
            config.fmap_inc_factor,
            config.fmaps_out,
            constant_upsample=config.constant_upsample,
            use_attention=config.use_attention,
            batch_norm=config.batch_norm,
        )
        self.upsample = torch.nn.ModuleList(
            torch.nn.Sequential(
                Upsample(
                    tuple(factor), config.fmaps_out, config.fmaps_out, config.constant_upsample
                ),
                ConvPass(
                    config.fmaps_out,
                    config.fmaps_out,
                    self._geometry.head_kernels,
                    config.padding,
                    config.batch_norm,
                ),
            )
            for factor in self._upsample_factors
        )

    def scale(self, input_voxel_size: Coordinate) -> Coordinate:
        """The input voxel size divided by every upsampling factor."""
        voxel_size = self.check_voxel_size(input_voxel_size)
        for factor in self._upsample_factors:
            if any(v % f for v, f in zip(voxel_size, factor)):
                raise ConfigError(
                    f"CNNectomeUNet {self.name!r}: voxel size {input_voxel_size} cannot be "
                    f"divided by the upsample_factors {self._upsample_factors}; use a voxel "
                    "size that is a multiple of their product"
                )
            voxel_size = voxel_size / Coordinate(factor)
        return voxel_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_tracing():  # a trace records one fixed input shape
            self._check_input(x)
        x = self.unet(x)
        for step in self.upsample:
            x = step(x)
        return x

    def _check_input(self, x: torch.Tensor) -> None:
        dims = self._input_shape.dims
        if x.dim() != dims + 2 or x.shape[1] != self._num_in_channels:
            raise ConfigError(
                f"CNNectomeUNet {self.name!r}: expected a tensor of shape (batch, "
                f"{self._num_in_channels}, {dims} spatial sizes), got {tuple(x.shape)}"
            )
        self._geometry.check(
            tuple(int(s) for s in x.shape[2:]), f"CNNectomeUNet {self.name!r}", "input tensor shape"
        )
