"""A gunpowder node drawing a noise seed that the training device uses."""

from __future__ import annotations

import gunpowder as gp

from ._draw_entry import ChanceDraw


class NoiseDraw(ChanceDraw, gp.NoiseAugment):
    """Decides as ``gp.NoiseAugment`` whether a sample gets noise and passes on
    the seed that node would give ``skimage.util.random_noise`` (the
    request's), but leaves raw as it is: the training device adds noise of
    the same kind, drawn from that seed, after the elastic deformation drawn
    upstream (see ``ElasticDraw``). Writes ``[applied, seed]`` to ``draw_key``.

    Args:
        draw_key: Where the draw goes (a non-spatial array).
        **kwargs: ``gp.NoiseAugment``'s arguments.
    """

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch([float(self._applied), float(request.random_seed)])
