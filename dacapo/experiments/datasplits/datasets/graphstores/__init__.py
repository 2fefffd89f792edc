"""Graph store configs (placeholder for sample-point sources)."""

from .graph_source_config import GraphStoreConfig

__all__ = [
    "GraphStoreConfig",
]
