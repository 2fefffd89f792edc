"""A gunpowder node drawing a mirror and transpose that the training device applies."""

from __future__ import annotations

import random

import gunpowder as gp
import numpy as np

from ._draw_entry import DrawEntry


class SimpleDraw(DrawEntry, gp.SimpleAugment):
    """Draws ``gp.SimpleAugment``'s mirror and transpose (with its own code, so
    from the same random state the same ones) but leaves the arrays as they
    are: the training device applies them after the elastic deformation
    drawn upstream (see ``ElasticDraw``).

    Writes ``[applied, mirror per axis (0/1), transpose per axis]`` (int64) to
    ``draw_key``; ``transpose[d]`` is the axis that output axis ``d`` is
    taken from, as ``numpy.transpose`` reads it.

    Args:
        draw_key: Where the draw goes (a non-spatial array).
        **kwargs: ``gp.SimpleAugment``'s arguments.
    """

    def __init__(self, draw_key: gp.ArrayKey, **kwargs):
        super().__init__(**kwargs)
        self.draw_key = draw_key
        self._draw = np.zeros(0, dtype=np.int64)

    def setup(self):
        gp.SimpleAugment.setup(self)  # its axes and permutations
        DrawEntry.setup(self)

    def skip_node(self, request: gp.BatchRequest) -> bool:
        return False  # a skipped one is drawn as "not applied"

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        applied = not random.random() > self.p  # as gp.SimpleAugment.skip_node
        identity = list(range(self.dims))
        mirror, transpose = [0] * self.dims, identity
        if applied:
            gp.SimpleAugment.prepare(self, request.copy())  # draws mirror and transpose
            mirror, transpose = [int(m) for m in self.mirror], list(self.transpose)
        self._draw = np.asarray([int(applied)] + mirror + transpose, dtype=np.int64)
        return gp.BatchRequest()

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        return self.draw_batch(self._draw)
