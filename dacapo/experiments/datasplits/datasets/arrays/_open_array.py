"""One way to get an ``Array`` from what callers may hand over: an array, or the
identifier of a zarr dataset (``LocalArrayIdentifier``)."""

from __future__ import annotations

from typing import Any

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.errors import ConfigError

from .array import Array
from .zarr_array import ZarrArray

__all__ = ["open_array"]


def open_array(value: Any, where: str) -> Array:
    """``value`` itself if it is an ``Array``, else the zarr dataset it identifies.

    ``where`` names the caller in the error raised for anything else (e.g.
    ``"set_prediction"``).
    """
    if isinstance(value, Array):
        return value
    if isinstance(value, LocalArrayIdentifier):
        return ZarrArray.open_from_array_identifier(value)
    raise ConfigError(
        f"{where}: expected an Array or a LocalArrayIdentifier, got "
        f"{type(value).__name__} {value!r}; to name a zarr dataset, pass "
        "LocalArrayIdentifier(container, dataset)"
    )
