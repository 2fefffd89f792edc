"""A gunpowder node drawing an intensity scale and shift that the training device applies."""

from __future__ import annotations

import gunpowder as gp
import numpy as np

from ._draw_entry import ChanceDraw


class IntensityDraw(ChanceDraw, gp.IntensityAugment):
    """Draws ``gp.IntensityAugment``'s scale and shift (from the same random
    state, the same ones) but leaves raw as it is: the training device
    applies them after the elastic deformation drawn upstream (see
    ``ElasticDraw``). Writes ``[applied, scale, shift]`` to ``draw_key``.

    Args:
        draw_key: Where the draw goes (a non-spatial array).
        **kwargs: ``gp.IntensityAugment``'s arguments (one slab: the whole array).
    """

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        if not self._applied:
            return self.draw_batch([0.0, 0.0, 0.0])
        # drawn where gp.IntensityAugment draws them, in this order
        scale = np.random.uniform(low=self.scale_min, high=self.scale_max)
        shift = np.random.uniform(low=self.shift_min, high=self.shift_max)
        return self.draw_batch([1.0, scale, shift])
