"""Base of graph store configs (a placeholder: no graph store exists yet)."""

from __future__ import annotations

import attr


@attr.s
class GraphStoreConfig:
    """Describes where the graphs (e.g. sample points) of a dataset are stored."""
