"""GraphSource: a fixed point graph served cropped to each request."""

import gunpowder as gp
import numpy as np
from funlib.geometry import Roi

from dacapo.gp import GraphSource

POINTS = gp.GraphKey("POINTS")


def _graph():
    nodes = [
        gp.Node(1, np.array([1.0, 1.0])),
        gp.Node(2, np.array([5.0, 5.0])),
        gp.Node(3, np.array([8.5, 2.0])),
    ]
    return gp.Graph(nodes, [], gp.GraphSpec(roi=Roi((0, 0), (10, 10)), directed=False))


def test_serves_the_points_inside_the_request(fetch):
    graph = _graph()
    batch = fetch(GraphSource(POINTS, graph), {POINTS: Roi((0, 0), (6, 6))})
    served = {node.id: tuple(node.location) for node in batch[POINTS].nodes}
    assert served == {1: (1.0, 1.0), 2: (5.0, 5.0)}
    assert batch[POINTS].spec.roi == Roi((0, 0), (6, 6))
    assert len(list(graph.nodes)) == 3  # the stored graph is untouched


def test_spec_is_the_graphs():
    source = GraphSource(POINTS, _graph())
    with gp.build(source):
        assert source.spec[POINTS].roi == Roi((0, 0), (10, 10))
