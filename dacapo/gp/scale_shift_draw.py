"""A gunpowder node passing on a fixed intensity scale and shift for the training device."""

from __future__ import annotations

import gunpowder as gp

from ._draw_entry import DrawEntry


class ScaleShiftDraw(DrawEntry, gp.IntensityScaleShift):
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

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch([1.0, self.scale, self.shift])
