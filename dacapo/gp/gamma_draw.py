"""A gunpowder node drawing a gamma that the training device applies."""

from __future__ import annotations

import gunpowder as gp

from ._draw_entry import DrawEntry
from .gamma_augment import GammaAugment


class GammaDraw(DrawEntry, GammaAugment):
    """Draws ``GammaAugment``'s gamma for its (one) array (from the same random
    state, the same one) but leaves the array as it is: the training device
    applies it after the elastic deformation drawn upstream (see
    ``ElasticDraw``). Writes ``[1, gamma]`` to ``draw_key``.

    Args:
        draw_key: Where the draw goes (a non-spatial array).
        array: The array whose gamma is drawn (raw).
        gamma_min, gamma_max: As for ``GammaAugment``.
    """

    def __init__(self, draw_key: gp.ArrayKey, array: gp.ArrayKey, gamma_min: float,
                 gamma_max: float):
        super().__init__([array], gamma_min, gamma_max)
        self.draw_key = draw_key

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch([1.0, self._sample_gamma()])  # where GammaAugment draws it
