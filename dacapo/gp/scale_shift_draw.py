"""A gunpowder node passing on a fixed intensity scale and shift for the training device."""

from __future__ import annotations

import gunpowder as gp
import numpy as np


class ScaleShiftDraw(gp.IntensityScaleShift):
    """Stands where ``gp.IntensityScaleShift`` would (so the nodes before it see
    the same random seeds) but leaves raw as it is: the training device
    applies ``v * scale + shift`` after the elastic deformation drawn
    upstream (see ``ElasticDraw``). Writes ``[1, scale, shift]`` to
    ``draw_key``.

    Args:
        draw_key: Where the values go (a non-spatial array).
        array, scale, shift: As for ``gp.IntensityScaleShift``.
    """

    def __init__(self, draw_key: gp.ArrayKey, array: gp.ArrayKey, scale: float, shift: float):
        super().__init__(array, scale, shift)
        self.draw_key = draw_key

    def setup(self):
        self.provides(self.draw_key, gp.ArraySpec(nonspatial=True))

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        return gp.BatchRequest()

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        outputs = gp.Batch()
        draw = np.asarray([1.0, self.scale, self.shift], dtype=np.float64)
        outputs[self.draw_key] = gp.Array(draw, gp.ArraySpec(nonspatial=True))
        return outputs
