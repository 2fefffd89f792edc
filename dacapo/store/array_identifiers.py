"""Addresses of arrays and containers (defined in ``dacapo._array_identifiers``,
below the stores and the arrays that both use them)."""

from dacapo._array_identifiers import LocalArrayIdentifier, LocalContainerIdentifier

__all__ = ["LocalArrayIdentifier", "LocalContainerIdentifier"]
