"""Torch building blocks of the CNNectome U-Net (1D, 2D and 3D)."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple, cast

import torch
from torch import nn

from ._unet_geometry import UNetGeometry

Shape = Tuple[int, ...]

# layer classes by number of spatial dimensions (they take tuples of that length)
_Layer = Callable[..., nn.Module]
_CONV: Dict[int, _Layer] = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_CONV_TRANSPOSE: Dict[int, _Layer] = {
    1: nn.ConvTranspose1d,
    2: nn.ConvTranspose2d,
    3: nn.ConvTranspose3d,
}
_POOL: Dict[int, _Layer] = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_BATCH_NORM: Dict[int, _Layer] = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}


class ConvPass(nn.Module):
    """Convolutions, each followed by optional batch norm and the activation."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_sizes: Sequence[Shape],
        padding: str,
        batch_norm: bool,
        activation: Optional[Callable[[], nn.Module]] = nn.ReLU,
    ):
        super().__init__()
        layers: List[nn.Module] = []
        for kernel in kernel_sizes:
            dims = len(kernel)
            pad = tuple(k // 2 for k in kernel) if padding == "same" else 0
            layers.append(_CONV[dims](in_channels, out_channels, tuple(kernel), padding=pad))
            if batch_norm:
                layers.append(_BATCH_NORM[dims](out_channels))
            if activation is not None:
                layers.append(activation())
            in_channels = out_channels
        self.conv_pass = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_pass(x)


class Downsample(nn.Module):
    """Max-pooling by ``factor`` (the size must be divisible; the geometry checks it)."""

    def __init__(self, factor: Shape):
        super().__init__()
        self.down = _POOL[len(factor)](tuple(factor), stride=tuple(factor))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(x)


class Upsample(nn.Module):
    """Upsampling by ``factor`` (nearest + 1x1 conv, or transposed conv), then ReLU,
    all in ``up`` (so parameters are named ``up.1.*`` or ``up.0.*``)."""

    def __init__(self, factor: Shape, in_channels: int, out_channels: int, constant: bool):
        super().__init__()
        dims = len(factor)
        if constant:
            layers = [
                nn.Upsample(scale_factor=tuple(float(f) for f in factor), mode="nearest"),
                _CONV[dims](in_channels, out_channels, 1),
            ]
        else:
            layers = [
                _CONV_TRANSPOSE[dims](
                    in_channels, out_channels, kernel_size=tuple(factor), stride=tuple(factor)
                )
            ]
        self.up = nn.Sequential(*layers, nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(x)


class AttentionGate(nn.Module):
    """Additive attention on a skip connection, gated by the coarser features.

    ``W_g`` projects the gate (the level below, before upsampling) and ``W_x``
    the skip, pooled to the gate's resolution; ``psi`` turns their ReLU'd sum
    into a sigmoid weight that is upsampled (linear interpolation) back onto
    the skip. All projections are pairs of 1x1 convolutions.
    """

    def __init__(self, gate_channels: int, skip_channels: int, inner: int, factor: Shape,
                 batch_norm: bool):
        super().__init__()
        ones = [(1,) * len(factor)] * 2
        self.W_g = ConvPass(gate_channels, inner, ones, "same", batch_norm, activation=None)
        self.W_x = nn.Sequential(
            ConvPass(skip_channels, inner, ones, "same", batch_norm, activation=None),
            Downsample(factor),
        )
        self.psi = ConvPass(inner, 1, ones, "same", batch_norm, activation=nn.Sigmoid)
        mode = {1: "linear", 2: "bilinear", 3: "trilinear"}[len(factor)]
        self.up = nn.Upsample(
            scale_factor=tuple(float(f) for f in factor), mode=mode, align_corners=True
        )

    def forward(self, gate: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        skip_projection = self.W_x(skip)
        gate_projection = _pad_to(self.W_g(gate), skip_projection.shape[2:])
        weight = self.psi(torch.relu(gate_projection + skip_projection))
        return skip * self.up(weight)


def _pad_to(x: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """``x`` zero-padded (centred) to spatial ``shape``."""
    padding: List[int] = []
    for current, target in zip(reversed(x.shape[2:]), reversed(tuple(shape))):
        missing = int(target) - int(current)
        padding += [missing - missing // 2, missing // 2]  # odd: the extra voxel first
    return nn.functional.pad(x, padding)


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
    (+ ``attention``)/``r_conv`` on the way up.

    Parameter names and shapes are those of upstream DaCapo's
    ``CNNectomeUNetModule``, so its checkpoints load unchanged: the decoder
    lists hold one list per output head (always one here, hence the ``0.`` in
    ``r_up.0.<level>``), and the top decoder level upsamples to the channels
    of level 1 while the deeper ones contract to their own level's channels.
    """

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
        factors = geometry.downsample_factors
        down_in = [fmaps_in] + fmaps[:-1]
        self.l_conv = nn.ModuleList(
            ConvPass(down_in[level], fmaps[level], kd[level], self.padding, batch_norm)
            for level in range(levels)
        )
        self.l_down = nn.ModuleList(Downsample(f) for f in factors)
        # channels after upsampling into a level: those of the level below at the
        # top (no contraction), the level's own further down
        up_out = ([fmaps[1]] + fmaps[1:-1]) if levels > 1 else []
        conv_out = [fmaps_out] + fmaps[1:]
        self.r_up = nn.ModuleList([nn.ModuleList(
            Upsample(f, fmaps[level + 1], up_out[level], constant_upsample)
            for level, f in enumerate(factors)
        )])
        self.attention: Optional[nn.ModuleList] = None
        if use_attention:
            self.attention = nn.ModuleList([nn.ModuleList(
                AttentionGate(fmaps[level + 1], fmaps[level], conv_out[level], f, batch_norm)
                for level, f in enumerate(factors)
            )])
        self.r_conv = nn.ModuleList([nn.ModuleList(
            ConvPass(fmaps[level] + up_out[level], conv_out[level], ku[level], self.padding,
                     batch_norm)
            for level in range(levels - 1)
        )])
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
        r_up, r_conv = _only_head(self.r_up), _only_head(self.r_conv)
        attention = _only_head(self.attention) if self.attention is not None else None
        for level in reversed(range(len(self.l_down))):
            skip = skips[level]
            if attention is not None:
                skip = attention[level](x, skip)
            x = r_up[level](x)
            if self.padding == "valid":
                x = crop_to_factor(x, self.crop_factors[level], self.up_shrink[level])
            skip = center_crop(skip, x.shape[-self.dims:])
            x = r_conv[level](torch.cat([skip, x], dim=1))
        return x


def _only_head(heads: nn.ModuleList) -> nn.ModuleList:
    """The decoder modules of the one output head in upstream's list of heads."""
    return cast(nn.ModuleList, heads[0])
