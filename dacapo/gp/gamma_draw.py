"""A gunpowder node drawing a gamma that the training device applies."""

from __future__ import annotations

import gunpowder as gp
import numpy as np

from .gamma_augment import GammaAugment


class GammaDraw(GammaAugment):
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

    def setup(self):
        self.provides(self.draw_key, gp.ArraySpec(nonspatial=True))

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        return gp.BatchRequest()

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        outputs = gp.Batch()
        draw = np.asarray([1.0, self._sample_gamma()])  # where GammaAugment draws it
        outputs[self.draw_key] = gp.Array(draw, gp.ArraySpec(nonspatial=True))
        return outputs
