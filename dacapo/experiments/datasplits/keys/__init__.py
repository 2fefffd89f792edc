"""Keys naming the arrays and graphs of a dataset."""

from .keys import ArrayKey, DataKey, GraphKey  # noqa: F401
