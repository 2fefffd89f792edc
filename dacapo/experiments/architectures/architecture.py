"""The ``Architecture`` interface: a network body with known shapes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional

import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError


class Architecture(torch.nn.Module, ABC):
    """A torch module mapping ``(b, num_in_channels, *input_shape)`` tensors to
    ``(b, num_out_channels, *output_shape)`` tensors.

    A predictor appends a head to it to build a ``Model``. Shapes are spatial
    and in voxels; ``scale`` maps the voxel size of the input to that of the
    output (they differ for networks that upsample).
    """

    #: Whether ``Model`` re-initialises the convolutions with Kaiming-normal
    #: weights. Architectures that bring pretrained weights set this to False.
    kaiming_init: bool = True

    @property
    @abstractmethod
    def input_shape(self) -> Coordinate:
        """Spatial shape (voxels) of the training input."""

    @property
    def eval_shape_increase(self) -> Coordinate:
        """Added to ``input_shape`` when predicting (no gradients to store then)."""
        return Coordinate((0,) * self.input_shape.dims)

    @property
    @abstractmethod
    def num_in_channels(self) -> int:
        """Number of channels the network expects."""

    @property
    @abstractmethod
    def num_out_channels(self) -> int:
        """Number of channels the network produces."""

    @property
    def dims(self) -> int:
        """Number of spatial dimensions."""
        return self.input_shape.dims

    def known_output_shape(self, input_shape: Coordinate) -> Optional[Coordinate]:
        """The spatial output shape for ``input_shape``, where the architecture
        can compute it without running the network (``Model`` then needs no
        dry run); None (the default) where it cannot, or where the shape does
        not fit (the dry run then explains why)."""
        return None

    def scale(self, input_voxel_size: Coordinate) -> Coordinate:
        """Voxel size of the output for an input of ``input_voxel_size`` (identity)."""
        return self.check_voxel_size(input_voxel_size)

    def check_voxel_size(self, voxel_size: Coordinate) -> Coordinate:
        """Returns ``voxel_size`` if it is a Coordinate with ``dims`` entries."""
        if not isinstance(voxel_size, Coordinate):
            raise ConfigError(
                f"{type(self).__name__}: expected the voxel size as a funlib Coordinate, "
                f"got {type(voxel_size).__name__} {voxel_size!r}; wrap it in Coordinate(...)"
            )
        if voxel_size.dims != self.dims:
            raise ConfigError(
                f"{type(self).__name__}: voxel size {voxel_size} has {voxel_size.dims} "
                f"dimensions, the architecture is {self.dims}D"
            )
        return voxel_size


class _FixedShapeArchitecture(Architecture):
    """An architecture whose shapes and channel counts are set once, by ``_set_shapes``."""

    def _set_shapes(
        self,
        input_shape: Coordinate,
        num_in_channels: int,
        num_out_channels: int,
        eval_shape_increase: Coordinate | None = None,
    ) -> None:
        """Stores the values the properties below return; no eval increase means zeros."""
        self._input_shape = input_shape
        self._eval_shape_increase = eval_shape_increase or Coordinate((0,) * input_shape.dims)
        self._num_in_channels = num_in_channels
        self._num_out_channels = num_out_channels

    @property
    def input_shape(self) -> Coordinate:
        return self._input_shape

    @property
    def eval_shape_increase(self) -> Coordinate:
        return self._eval_shape_increase

    @property
    def num_in_channels(self) -> int:
        return self._num_in_channels

    @property
    def num_out_channels(self) -> int:
        return self._num_out_channels
