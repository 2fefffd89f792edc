"""Config of a fixed linear map of raw intensities."""

from __future__ import annotations

import attr

from dacapo.errors import ConfigError

from .augment_config import AugmentConfig


@attr.s
class IntensityScaleShiftAugmentConfig(AugmentConfig):
    """Maps raw intensities ``v`` to ``v * scale + shift`` in every batch.

    Builds ``gp.IntensityScaleShift``; not random. ``scale=2, shift=-1`` maps
    [0, 1] to [-1, 1].
    """

    scale: float = attr.ib(metadata={"help_text": "Factor applied to raw intensities."})
    shift: float = attr.ib(metadata={"help_text": "Offset added after scaling."})

    def __attrs_post_init__(self):
        self.validate()

    def validate(self) -> None:
        for name in ("scale", "shift"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(
                    f"IntensityScaleShiftAugmentConfig: `{name}` must be a number, got {value!r}"
                )

    def node(self, raw_key, gt_key, mask_key):
        """The ``gp.IntensityScaleShift`` node on ``raw_key``."""
        import gunpowder as gp

        return gp.IntensityScaleShift(raw_key, self.scale, self.shift)
