"""Addresses of arrays and containers on a file system (or UPath URL)."""

from __future__ import annotations

from pathlib import Path

import attr


def _as_path(value):
    """A ``Path``, or a ``UPath`` for URLs such as ``s3://bucket/c.zarr``."""
    from upath import UPath

    if isinstance(value, UPath) and value.protocol:
        return value
    if "://" in str(value):
        return UPath(str(value))
    return Path(value)


@attr.s(frozen=True)
class LocalContainerIdentifier:
    """A zarr (or N5) container, e.g. ``/runs/my_run/validation.zarr``."""

    container: Path = attr.ib(converter=_as_path)

    def array_identifier(self, dataset: str) -> "LocalArrayIdentifier":
        """The identifier of ``dataset`` inside this container."""
        return LocalArrayIdentifier(self.container, dataset)


@attr.s(frozen=True)
class LocalArrayIdentifier:
    """A dataset inside a container: ``container/dataset``."""

    container: Path = attr.ib(converter=_as_path)
    dataset: str = attr.ib()

    def __str__(self) -> str:
        return f"{self.container}/{self.dataset}"
