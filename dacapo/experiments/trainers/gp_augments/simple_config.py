"""Config of random mirroring and transposing."""

from __future__ import annotations

from typing import List, Optional

import attr

from dacapo._checks import as_list, check_fraction
from dacapo.errors import ConfigError

from .augment_config import AugmentConfig


def _optional_list(value):
    return None if value is None else as_list(value)


@attr.s
class SimpleAugmentConfig(AugmentConfig):
    """Randomly mirrors and transposes the spatial axes of every array.

    Builds ``gp.SimpleAugment``. Axes are counted over spatial axes only
    (0 = z in 3D). By default every axis is mirrored with probability 0.5 and
    all axis permutations are equally likely; with anisotropic voxels,
    restrict ``transpose_only`` to the axes of equal voxel size.
    """

    mirror_only: Optional[List[int]] = attr.ib(
        default=None,
        converter=_optional_list,
        metadata={"help_text": "Spatial axes that may be mirrored (default: all)."},
    )
    transpose_only: Optional[List[int]] = attr.ib(
        default=None,
        converter=_optional_list,
        metadata={"help_text": "Spatial axes that may be transposed (default: all)."},
    )
    mirror_probs: Optional[List[float]] = attr.ib(
        default=None,
        converter=_optional_list,
        metadata={
            "help_text": "Probability of mirroring each spatial axis, one value per "
            "axis (default: 0.5 each)."
        },
    )
    transpose_probs: Optional[List[float]] = attr.ib(
        default=None,
        converter=_optional_list,
        metadata={
            "help_text": "Probability of moving each spatial axis in the transpose, "
            "one value per axis, 0 keeps an axis in place (default: all permutations "
            "equally likely). Not together with `transpose_only`."
        },
    )
    augmentation_probability: float = attr.ib(
        default=1.0,
        metadata={"help_text": "Probability of changing a batch at all."},
    )

    def check_values(self) -> None:
        owner = "SimpleAugmentConfig"
        for name in ("mirror_only", "transpose_only"):
            axes = getattr(self, name)
            if axes is not None and not all(
                isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in axes
            ):
                raise ConfigError(
                    f"{owner}: `{name}` must list spatial axis indices (integers >= 0), "
                    f"got {axes!r}"
                )
        if self.transpose_only is not None and self.transpose_probs is not None:
            # gp.SimpleAugment pairs the two inconsistently and can swap other axes
            raise ConfigError(
                f"{owner}: give either `transpose_only` ({self.transpose_only!r}) or "
                f"`transpose_probs` ({self.transpose_probs!r}), not both; a transpose "
                "probability of 0 keeps an axis in place"
            )
        for name in ("mirror_probs", "transpose_probs"):
            for value in getattr(self, name) or []:
                check_fraction(owner, name, value)
        check_fraction(owner, "augmentation_probability", self.augmentation_probability)

    def node(self, raw_key, gt_key, mask_key):
        """The ``gp.SimpleAugment`` node (applies to every requested array)."""
        import gunpowder as gp

        return gp.SimpleAugment(**self._arguments())

    def draw_node(self, draw_key, raw_key=None):
        """The ``dacapo.gp.SimpleDraw`` node: the same draws, applied on the
        training device after an elastic deformation drawn before it."""
        from dacapo.gp.simple_draw import SimpleDraw

        return SimpleDraw(draw_key, **self._arguments())

    def transposed_axes(self, dims: int) -> List[int]:
        """The spatial axes a transpose may move."""
        if self.transpose_only is not None:
            return sorted(set(self.transpose_only))
        if self.transpose_probs is not None:
            return [d for d, p in enumerate(self.transpose_probs) if p > 0]
        return list(range(dims))

    def _arguments(self) -> dict:
        def copy(value):
            return None if value is None else list(value)

        return dict(
            mirror_only=copy(self.mirror_only),
            transpose_only=copy(self.transpose_only),
            mirror_probs=copy(self.mirror_probs),
            transpose_probs=copy(self.transpose_probs),
            p=self.augmentation_probability,
        )
