"""Request helpers shared by the DaCapo gunpowder nodes."""

from __future__ import annotations

import gunpowder as gp
from funlib.geometry import Roi


def dependency_spec(request: gp.BatchRequest, key: gp.ArrayKey, roi: Roi) -> gp.ArraySpec:
    """A spec asking for ``key`` over ``roi`` and whatever ``request`` already
    asks of it, so that a node's dependency never shrinks a downstream request."""
    if key in request:
        spec = request[key].copy()
        spec.roi = roi if spec.roi is None else spec.roi.union(roi)
        return spec
    return gp.ArraySpec(roi=roi)
