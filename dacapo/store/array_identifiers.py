"""Addresses of arrays and containers on a file system (or UPath URL)."""

from __future__ import annotations

from pathlib import Path

import attr

from dacapo._paths import as_path


@attr.s(frozen=True)
class LocalContainerIdentifier:
    """A zarr (or N5) container, e.g. ``/runs/my_run/validation.zarr``."""

    container: Path = attr.ib(converter=as_path)

    def array_identifier(self, dataset: str) -> "LocalArrayIdentifier":
        """The identifier of ``dataset`` inside this container."""
        return LocalArrayIdentifier(self.container, dataset)


@attr.s(frozen=True)
class LocalArrayIdentifier:
    """A dataset inside a container: ``container/dataset``."""

    container: Path = attr.ib(converter=as_path)
    dataset: str = attr.ib()

    def __str__(self) -> str:
        return f"{self.container}/{self.dataset}"
