"""Config of the random intensity scale and shift augmentation."""

from __future__ import annotations

from typing import Tuple

import attr

from dacapo._checks import as_tuple, check_fraction, check_interval

from .augment_config import AugmentConfig


@attr.s
class IntensityAugmentConfig(AugmentConfig):
    """Randomly scales raw contrast and shifts brightness.

    Builds ``gp.IntensityAugment`` on raw: ``v -> mean + (v - mean) * scale +
    shift`` with ``scale`` and ``shift`` drawn uniformly per batch. Raw must
    be float (in [0, 1] when clipping).
    """

    scale: Tuple[float, float] = attr.ib(
        converter=as_tuple,
        metadata={"help_text": "(min, max) of the contrast factor, e.g. (0.75, 1.25)."},
    )
    shift: Tuple[float, float] = attr.ib(
        converter=as_tuple,
        metadata={"help_text": "(min, max) of the brightness offset, e.g. (-0.1, 0.1)."},
    )
    clip: bool = attr.ib(
        default=True,
        metadata={"help_text": "Clip the result to [0, 1]."},
    )
    augmentation_probability: float = attr.ib(
        default=1.0,
        metadata={"help_text": "Probability of changing a batch at all."},
    )

    def check_values(self) -> None:
        check_interval("IntensityAugmentConfig", "scale", self.scale)
        check_interval("IntensityAugmentConfig", "shift", self.shift)
        check_fraction(
            "IntensityAugmentConfig", "augmentation_probability", self.augmentation_probability
        )

    def node(self, raw_key, gt_key, mask_key):
        """The ``gp.IntensityAugment`` node on ``raw_key``."""
        import gunpowder as gp

        return gp.IntensityAugment(raw_key, **self._arguments())

    def draw_node(self, draw_key, raw_key):
        """The ``dacapo.gp.IntensityDraw`` node: the same draws, applied on the
        training device after an elastic deformation drawn before it."""
        from dacapo.gp.intensity_draw import IntensityDraw

        return IntensityDraw(draw_key, array=raw_key, **self._arguments())

    def _arguments(self) -> dict:
        return dict(
            scale_min=self.scale[0],
            scale_max=self.scale[1],
            shift_min=self.shift[0],
            shift_max=self.shift[1],
            clip=self.clip,
            p=self.augmentation_probability,
        )
