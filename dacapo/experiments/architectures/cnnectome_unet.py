"""The CNNectome U-Net architecture."""

from __future__ import annotations

from typing import Any, Dict, Optional

import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

from ._unet_blocks import ConvPass, UNet, Upsample
from ._unet_geometry import _AxisProblem
from .architecture import _FixedShapeArchitecture


class CNNectomeUNet(_FixedShapeArchitecture):
    """A U-Net (see ``CNNectomeUNetConfig``), optionally followed by extra
    upsampling steps that make the output finer than the input.

    Each extra upsampling step repeats voxels (then a 1x1 convolution and
    ReLU, whatever ``constant_upsample`` says, as upstream DaCapo does) and is
    followed by a conv pass with the kernels of the top decoder level. The
    input shape is checked on every forward pass: a shape that does not fit
    raises ``ConfigError`` naming the level and sizes that would work.

    Parameters are named as in upstream DaCapo (``unet.l_conv.0...``, and
    ``unet.0.l_conv...``, ``unet.1.up.1...`` with extra upsampling), so its
    checkpoints load; a state dict of upstream's bare U-Net module (keys
    without ``unet.``, as its newer ``Model`` stores them) is renamed on load.
    """

    #: first key components of upstream's bare U-Net module (or of the
    #: Sequential holding it and the extra upsampling steps)
    _BARE_UNET_KEYS = ("l_conv", "l_down", "r_up", "r_conv", "attention")

    def __init__(self, architecture_config):
        super().__init__()
        config = architecture_config
        self.name = config.name
        self._set_shapes(
            config.input_shape, config.fmaps_in, config.fmaps_out, config.eval_shape_increase
        )
        self._upsample_factors = list(config.upsample_factors or [])
        self._geometry = config.geometry()
        unet = UNet(
            self._geometry,
            config.fmaps_in,
            config.num_fmaps,
            config.fmap_inc_factor,
            config.fmaps_out,
            constant_upsample=config.constant_upsample,
            use_attention=config.use_attention,
            batch_norm=config.batch_norm,
        )
        steps = []
        for factor in self._upsample_factors:
            steps.append(Upsample(tuple(factor), config.fmaps_out, config.fmaps_out, True))
            steps.append(ConvPass(config.fmaps_out, config.fmaps_out,
                                  self._geometry.head_kernels, config.padding, config.batch_norm))
        self.unet = torch.nn.Sequential(unet, *steps) if steps else unet
        self.register_load_state_dict_pre_hook(_rename_hook)

    def _rename_upstream_keys(self, state: Dict[str, Any], prefix: str) -> None:
        """Prefixes ``unet.`` to the keys of upstream's bare U-Net module under
        ``prefix`` (in place); other state dicts are left alone."""
        keys = [key for key in state if key.startswith(prefix)]
        firsts = {key[len(prefix):].split(".", 1)[0] for key in keys}
        if not keys or not all(f in self._BARE_UNET_KEYS or f.isdigit() for f in firsts):
            return
        for key in keys:
            state[f"{prefix}unet.{key[len(prefix):]}"] = state.pop(key)

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

    def known_output_shape(self, input_shape: Coordinate) -> Optional[Coordinate]:
        """From the U-Net's geometry (convolutions, crops, up- and
        downsampling); None for a shape that does not fit."""
        try:
            return Coordinate(self._geometry.output_shape(tuple(input_shape)))
        except _AxisProblem:
            return None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_tracing():  # a trace records one fixed input shape
            self._check_input(x)
        return self.unet(x)

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


def _rename_hook(module, state_dict, prefix, *args) -> None:
    """Load pre-hook: upstream's key names to ours."""
    module._rename_upstream_keys(state_dict, prefix)
