"""A gunpowder source serving a fixed graph of points."""

from __future__ import annotations

import gunpowder as gp


class GraphSource(gp.BatchProvider):
    """Provides ``graph`` under ``key``, cropped to each request's ROI.

    Used for the sample points of a dataset: ``RandomLocation`` with
    ``ensure_nonempty`` centres training batches on them. Edges that leave
    the requested ROI end at a new node on its boundary.
    """

    def __init__(self, key: gp.GraphKey, graph: gp.Graph):
        self.key = key
        self.graph = graph

    def setup(self):
        self.provides(self.key, self.graph.spec.copy())

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        roi = request[self.key].roi
        # crop and trim both work on copies, the stored graph is never changed
        graph = self.graph.crop(roi).trim(roi)
        graph.spec.roi = roi
        batch = gp.Batch()
        batch[self.key] = graph
        return batch
