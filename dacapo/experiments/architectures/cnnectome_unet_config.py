"""Config of the CNNectome U-Net."""

from __future__ import annotations

from typing import List, Optional

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import to_coordinate, to_coordinates
from dacapo.errors import ConfigError

from ._unet_geometry import UNetGeometry
from .architecture_config import ArchitectureConfig


def _nested_coordinates(values):
    """Lists of lists of ``to_coordinate``; other values are left to the type check."""
    if not isinstance(values, (list, tuple)):
        return values
    return [to_coordinates(level) for level in values]


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@attr.s
class CNNectomeUNetConfig(ArchitectureConfig):
    """A U-Net: per level, convolutions then max-pooling down, upsampling,
    concatenation with the (cropped) skip connection and convolutions up.

    ``len(downsample_factors) + 1`` levels; level ``l`` has
    ``num_fmaps * fmap_inc_factor**l`` feature maps.
    """

    architecture_type = runtime_type(".cnnectome_unet.CNNectomeUNet")

    input_shape: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={
            "help_text": "Spatial shape (voxels) of the training input, e.g. (216, 216, 216), "
            "or (2, 132, 132) for a pseudo-2D network."
        },
    )
    fmaps_out: int = attr.ib(
        metadata={"help_text": "Number of channels the U-Net produces (a task head follows)."}
    )
    fmaps_in: int = attr.ib(metadata={"help_text": "Number of input (raw) channels."})
    num_fmaps: int = attr.ib(metadata={"help_text": "Number of feature maps at the top level."})
    fmap_inc_factor: int = attr.ib(
        metadata={"help_text": "Feature maps are multiplied by this at each level down."}
    )
    downsample_factors: List[Coordinate] = attr.ib(
        converter=to_coordinates,
        metadata={"help_text": "Max-pooling factor between consecutive levels, e.g. [(2, 2, 2)]."},
    )
    kernel_size_down: Optional[List[List[Coordinate]]] = attr.ib(
        default=None,
        converter=_nested_coordinates,
        metadata={
            "help_text": "Convolution kernels on the down path, a list per level "
            "(default: two 3^d convolutions per level)."
        },
    )
    kernel_size_up: Optional[List[List[Coordinate]]] = attr.ib(
        default=None,
        converter=_nested_coordinates,
        metadata={
            "help_text": "Convolution kernels on the up path, a list per level except the "
            "bottom (default: two 3^d convolutions per level)."
        },
    )
    eval_shape_increase: Optional[Coordinate] = attr.ib(
        default=None,
        converter=to_coordinate,
        metadata={
            "help_text": "Added to input_shape when predicting, where no gradients are "
            "kept and larger blocks fit (default: zeros)."
        },
    )
    upsample_factors: Optional[List[Coordinate]] = attr.ib(
        default=None,
        converter=to_coordinates,
        metadata={
            "help_text": "Extra upsampling steps after the U-Net (each followed by "
            "convolutions), for outputs finer than the input, e.g. [(2, 2, 2)] for 8 nm "
            "in, 4 nm out."
        },
    )
    constant_upsample: bool = attr.ib(
        default=True,
        metadata={
            "help_text": "Upsample by repeating voxels followed by a 1x1 convolution; "
            "False uses transposed convolutions."
        },
    )
    padding: str = attr.ib(
        default="valid",
        metadata={
            "help_text": "'valid' (convolutions crop their context) or 'same' (zero-padded, "
            "the output has the input's shape)."
        },
    )
    use_attention: bool = attr.ib(
        default=False, metadata={"help_text": "Attention gates on the skip connections."}
    )
    batch_norm: bool = attr.ib(
        default=False, metadata={"help_text": "Batch normalisation after each convolution."}
    )

    @property
    def dims(self) -> int:
        """Number of spatial dimensions."""
        return self.input_shape.dims

    def geometry(self) -> UNetGeometry:
        """Kernel sizes (defaults filled in) and factors as a ``UNetGeometry``."""
        default = [Coordinate((3,) * self.dims)] * 2
        levels = len(self.downsample_factors) + 1
        return UNetGeometry(
            self.downsample_factors,
            self.kernel_size_down or [default] * levels,
            self.kernel_size_up or [default] * (levels - 1),
            self.upsample_factors or [],
            self.padding,
        )

    def check_values(self) -> None:
        self._validate_numbers()
        self._validate_layout()
        geometry = self.geometry()
        owner = f"CNNectomeUNetConfig {self.name!r}"
        geometry.check(self.input_shape, owner)
        if self.eval_shape_increase is not None:
            geometry.check(
                self.input_shape + self.eval_shape_increase,
                owner,
                "input_shape + eval_shape_increase",
            )

    def _fail(self, message: str) -> None:
        raise ConfigError(f"CNNectomeUNetConfig {self.name!r}: {message}")

    def _validate_numbers(self) -> None:
        for field in ("fmaps_out", "fmaps_in", "num_fmaps", "fmap_inc_factor"):
            if not _positive_int(getattr(self, field)):
                self._fail(f"{field} must be a positive integer, got {getattr(self, field)!r}")
        if self.padding not in ("valid", "same"):
            self._fail(f"padding must be 'valid' or 'same', got {self.padding!r}")
        if not 1 <= self.dims <= 3:
            self._fail(f"input_shape {self.input_shape} must have 1 to 3 dimensions")

    def _validate_layout(self) -> None:
        levels = len(self.downsample_factors) + 1
        for field, expected in (("kernel_size_down", levels), ("kernel_size_up", levels - 1)):
            value = getattr(self, field)
            if value is not None and len(value) != expected:
                self._fail(
                    f"{field} has {len(value)} levels, expected {expected} for "
                    f"{len(self.downsample_factors)} downsample_factors"
                )
        increase = self.eval_shape_increase
        named = {
            "downsample_factors": self.downsample_factors,
            "upsample_factors": self.upsample_factors or [],
            "eval_shape_increase": [] if increase is None else [increase],
        }
        for field in ("kernel_size_down", "kernel_size_up"):
            named[field] = [k for level in getattr(self, field) or [] for k in level]
        for field, coordinates in named.items():
            for coordinate in coordinates:
                self._check_coordinate(field, coordinate)

    def _check_coordinate(self, field: str, coordinate: Coordinate) -> None:
        if coordinate.dims != self.dims:
            self._fail(
                f"{field} entry {coordinate} has {coordinate.dims} dimensions, "
                f"input_shape {self.input_shape} has {self.dims}"
            )
        minimum = 0 if field == "eval_shape_increase" else 1
        if any(v < minimum for v in coordinate):
            self._fail(f"{field} entry {coordinate} must be >= {minimum} along every axis")
        even = any(v % 2 == 0 for v in coordinate)
        if field.startswith("kernel") and self.padding == "same" and even:
            self._fail(
                f"{field} entry {coordinate} has an even size, which 'same' padding cannot "
                "centre; use odd kernel sizes"
            )
