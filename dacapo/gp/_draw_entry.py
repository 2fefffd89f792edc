"""What the nodes that only draw an augment (for the training device) share."""

from __future__ import annotations

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
