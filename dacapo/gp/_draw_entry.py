"""What the nodes that only draw an augment (for the training device) share."""

from __future__ import annotations

import random

import gunpowder as gp
import numpy as np


class DrawEntry:
    """Mixin of a node that draws an augment but leaves the arrays as they are:
    it provides ``draw_key``, a non-spatial array of the draw, needs nothing
    more from upstream, and writes its draw with ``draw_batch``."""

    draw_key: gp.ArrayKey

    def setup(self):
        self.provides(self.draw_key, gp.ArraySpec(nonspatial=True))

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        return gp.BatchRequest()

    def draw_batch(self, values) -> gp.Batch:
        """A batch holding only the draw ``values`` (float64 unless integers)."""
        values = np.asarray(values)
        if values.dtype.kind not in "iu":
            values = values.astype(np.float64)
        outputs = gp.Batch()
        outputs[self.draw_key] = gp.Array(values, gp.ArraySpec(nonspatial=True))
        return outputs


class ChanceDraw(DrawEntry):
    """``DrawEntry`` of a gunpowder augment applied with probability ``p``: it
    decides where and as that node's ``skip_node`` does (``random.random() >
    p`` skips), and a skipped one is drawn as not applied (``_applied``)."""

    p: float

    def __init__(self, draw_key: gp.ArrayKey, **kwargs):
        super().__init__(**kwargs)
        self.draw_key = draw_key
        self._applied = False

    def skip_node(self, request: gp.BatchRequest) -> bool:
        return False

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        self._applied = not random.random() > self.p
        return gp.BatchRequest()
