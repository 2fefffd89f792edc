"""Config of the random gamma augmentation of raw intensities."""

from __future__ import annotations

from typing import Tuple

import attr

from dacapo._checks import as_tuple, check_interval

from .augment_config import AugmentConfig


@attr.s
class GammaAugmentConfig(AugmentConfig):
    """Replaces raw intensities ``v`` (float, in [0, 1]) by ``v ** gamma``.

    Builds ``dacapo.gp.GammaAugment`` on raw, with ``gamma`` drawn
    log-uniformly from ``gamma_range`` for every batch.
    """

    gamma_range: Tuple[float, float] = attr.ib(
        converter=as_tuple,
        metadata={
            "help_text": "(min, max) of gamma, both > 0, e.g. (0.5, 2.0); values "
            "above 1 darken, below 1 brighten."
        },
    )

    def check_values(self) -> None:
        check_interval("GammaAugmentConfig", "gamma_range", self.gamma_range, positive=True)

    def node(self, raw_key, gt_key, mask_key):
        """The ``dacapo.gp.GammaAugment`` node on ``raw_key``."""
        from dacapo.gp import GammaAugment

        return GammaAugment([raw_key], self.gamma_range[0], self.gamma_range[1])

    def draw_node(self, draw_key, raw_key):
        """The ``dacapo.gp.GammaDraw`` node: the same draw, applied on the
        training device after an elastic deformation drawn before it."""
        from dacapo.gp.gamma_draw import GammaDraw

        return GammaDraw(draw_key, raw_key, self.gamma_range[0], self.gamma_range[1])
