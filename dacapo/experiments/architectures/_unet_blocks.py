"""Torch building blocks of the CNNectome U-Net (1D, 2D and 3D)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
from torch import nn

from ._unet_geometry import UNetGeometry

Shape = Tuple[int, ...]

_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_CONV_TRANSPOSE = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
_POOL = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_BATCH_NORM = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}


class ConvPass(nn.Module):
    """Convolutions (each with optional batch norm) followed by ReLU."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_sizes: Sequence[Shape],
        padding: str,
        batch_norm: bool,
    ):
        super().__init__()
        layers: List[nn.Module] = []
        for kernel in kernel_sizes:
            dims = len(kernel)
            pad = tuple(k // 2 for k in kernel) if padding == "same" else 0
            layers.append(_CONV[dims](in_channels, out_channels, tuple(kernel), padding=pad))
            if batch_norm:
                layers.append(_BATCH_NORM[dims](out_channels))
            layers.append(nn.ReLU())
            in_channels = out_channels
        self.conv_pass = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_pass(x)


class Upsample(nn.Module):
    """Upsampling by ``factor`` (nearest + 1x1 conv, or transposed conv), then ReLU."""

    def __init__(self, factor: Shape, in_channels: int, out_channels: int, constant: bool):
        super().__init__()
        dims = len(factor)
        if constant:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=tuple(float(f) for f in factor), mode="nearest"),
                _CONV[dims](in_channels, out_channels, 1),
            )
        else:
            self.up = _CONV_TRANSPOSE[dims](
                in_channels, out_channels, kernel_size=tuple(factor), stride=tuple(factor)
            )
        self.activation = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.up(x))


class AttentionGate(nn.Module):
    """Additive attention: weighs the skip connection by a sigmoid gate computed
    from it and the upsampled decoder features (both 1x1-projected)."""

    def __init__(self, channels: int, dims: int):
        super().__init__()
        inner = max(1, channels // 2)
        self.gate_projection = _CONV[dims](channels, inner, 1)
        self.skip_projection = _CONV[dims](channels, inner, 1)
        self.psi = _CONV[dims](inner, 1, 1)

    def forward(self, gate: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        joint = torch.relu(self.gate_projection(gate) + self.skip_projection(skip))
        return skip * torch.sigmoid(self.psi(joint))


def center_crop(x: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """The centre of ``x`` with spatial ``shape`` (trailing axes)."""
    current = x.shape[-len(shape):]
    if tuple(current) == tuple(shape):
        return x
    index = tuple(
        slice((c - s) // 2, (c - s) // 2 + s) for c, s in zip(current, shape)
    )
    return x[(...,) + index]


def crop_to_factor(x: torch.Tensor, factor: Shape, shrink: Shape) -> torch.Tensor:
    """Crops ``x`` so that (size - shrink) is a multiple of ``factor`` per axis."""
    current = x.shape[-len(factor):]
    target = [((c - s) // f) * f + s for c, f, s in zip(current, factor, shrink)]
    return center_crop(x, target)


class UNet(nn.Module):
    """The U-Net body: ``l_conv``/``l_down`` on the way down, ``r_up``
    (+ ``attention``)/``r_conv`` on the way up."""

    def __init__(
        self,
        geometry: UNetGeometry,
        fmaps_in: int,
        num_fmaps: int,
        fmap_inc_factor: int,
        fmaps_out: int,
        constant_upsample: bool = True,
        use_attention: bool = False,
        batch_norm: bool = False,
    ):
        super().__init__()
        levels = geometry.num_levels
        fmaps = [num_fmaps * fmap_inc_factor**level for level in range(levels)]
        if levels == 1:
            fmaps = [fmaps_out]
        self.padding = geometry.padding
        self.dims = len(geometry.kernel_size_down[0][0])
        kd, ku = geometry.kernel_size_down, geometry.kernel_size_up
        down_in = [fmaps_in] + fmaps[:-1]
        self.l_conv = nn.ModuleList(
            ConvPass(down_in[level], fmaps[level], kd[level], self.padding, batch_norm)
            for level in range(levels)
        )
        self.l_down = nn.ModuleList(
            _POOL[self.dims](tuple(f), stride=tuple(f)) for f in geometry.downsample_factors
        )
        self.r_up = nn.ModuleList(
            Upsample(f, fmaps[level + 1], fmaps[level], constant_upsample)
            for level, f in enumerate(geometry.downsample_factors)
        )
        self.attention = (
            nn.ModuleList(AttentionGate(fmaps[level], self.dims) for level in range(levels - 1))
            if use_attention
            else None
        )
        up_out = [fmaps_out] + fmaps[1:]
        self.r_conv = nn.ModuleList(
            ConvPass(2 * fmaps[level], up_out[level], ku[level], self.padding, batch_norm)
            for level in range(levels - 1)
        )
        self.crop_factors = geometry.crop_factors()
        self.up_shrink = [
            tuple(sum(k[axis] - 1 for k in ku[level]) for axis in range(self.dims))
            for level in range(levels - 1)
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for conv, down in zip(self.l_conv, self.l_down):
            x = conv(x)
            skips.append(x)
            x = down(x)
        x = self.l_conv[-1](x)
        for level in reversed(range(len(self.r_up))):
            x = self.r_up[level](x)
            if self.padding == "valid":
                x = crop_to_factor(x, self.crop_factors[level], self.up_shrink[level])
            skip = center_crop(skips[level], x.shape[-self.dims:])
            if self.attention is not None:
                skip = self.attention[level](x, skip)
            x = self.r_conv[level](torch.cat([skip, x], dim=1))
        return x
