"""A gunpowder node drawing a noise seed that the training device uses."""

from __future__ import annotations

import random

import gunpowder as gp

from ._draw_entry import DrawEntry


class NoiseDraw(DrawEntry, gp.NoiseAugment):
    """Decides as ``gp.NoiseAugment`` whether a sample gets noise and passes on
    the seed that node would give ``skimage.util.random_noise`` (the
    request's), but leaves raw as it is: the training device adds noise of
    the same kind, drawn from that seed, after the elastic deformation drawn
    upstream (see ``ElasticDraw``). Writes ``[applied, seed]`` to ``draw_key``.

    Args:
        draw_key: Where the draw goes (a non-spatial array).
        **kwargs: ``gp.NoiseAugment``'s arguments.
    """

    def __init__(self, draw_key: gp.ArrayKey, **kwargs):
        super().__init__(**kwargs)
        self.draw_key = draw_key
        self._applied = False

    def skip_node(self, request: gp.BatchRequest) -> bool:
        return False  # a skipped one is drawn as "not applied"

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        self._applied = not random.random() > self.p  # as gp.NoiseAugment.skip_node
        return gp.BatchRequest()

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch([float(self._applied), float(request.random_seed)])
