"""Names of the arrays and graphs a dataset provides (legacy keys).

The gunpowder pipeline defines its own keys; these enums remain for code
written against DaCapo's classic API.
"""

from __future__ import annotations

from enum import Enum


class DataKey(Enum):
    """Base of every data key."""


class ArrayKey(DataKey):
    """Keys of the arrays of a dataset."""

    RAW = "raw"
    GT = "gt"
    MASK = "mask"
    NON_EMPTY = "non_empty_mask"


class GraphKey(DataKey):
    """Keys of the graphs of a dataset."""

    SPECIFIED_LOCATIONS = "specified_locations"
