"""Config of a fixed linear map of raw intensities."""

from __future__ import annotations

import attr

from dacapo._checks import check_number

from .augment_config import AugmentConfig


@attr.s
class IntensityScaleShiftAugmentConfig(AugmentConfig):
    """Maps raw intensities ``v`` to ``v * scale + shift`` in every batch.

    Builds ``gp.IntensityScaleShift``; not random. ``scale=2, shift=-1`` maps
    [0, 1] to [-1, 1].
    """

    scale: float = attr.ib(metadata={"help_text": "Factor applied to raw intensities."})
    shift: float = attr.ib(metadata={"help_text": "Offset added after scaling."})

    def check_values(self) -> None:
        check_number("IntensityScaleShiftAugmentConfig", "scale", self.scale)
        check_number("IntensityScaleShiftAugmentConfig", "shift", self.shift)

    def node(self, raw_key, gt_key, mask_key):
        """The ``gp.IntensityScaleShift`` node on ``raw_key``."""
        import gunpowder as gp

        return gp.IntensityScaleShift(raw_key, self.scale, self.shift)

    def draw_node(self, draw_key, raw_key):
        """The ``dacapo.gp.ScaleShiftDraw`` node: the same map, applied on the
        training device after an elastic deformation drawn before it."""
        from dacapo.gp.scale_shift_draw import ScaleShiftDraw

        return ScaleShiftDraw(draw_key, raw_key, self.scale, self.shift)
