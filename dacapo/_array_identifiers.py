"""Addresses of arrays and containers on a file system (or at a UPath URL).

The stores hand these out and the arrays, post-processors and trainers open
what they name, so they live below both. Their public path is
``dacapo.store.local_array_store`` (and ``dacapo.store.array_identifiers``).
"""

from __future__ import annotations

from pathlib import Path

import attr

from dacapo._paths import as_path

__all__ = ["LocalArrayIdentifier", "LocalContainerIdentifier"]


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
