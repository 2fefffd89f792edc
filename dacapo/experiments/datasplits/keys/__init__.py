"""Keys naming the arrays and graphs of a dataset."""

from .keys import ArrayKey, DataKey, GraphKey

__all__ = [
    "ArrayKey",
    "DataKey",
    "GraphKey",
]
