"""Errors raised by dacapo.

Every class also subclasses the builtin exception a caller would expect, so
``except ValueError`` keeps working while ``except DacapoError`` catches all of
dacapo's own failures. Messages name the culprit (config, array, file, key),
what was given, what was expected and, where there is one, the fix.
"""

from __future__ import annotations

__all__ = [
    "DacapoError",
    "ConfigError",
    "UnknownTypeError",
    "RoiError",
    "ArrayNotFoundError",
    "StoreError",
    "DuplicateNameError",
    "NoSuchNameError",
    "NoSuchCheckpointError",
]


class DacapoError(Exception):
    """Base class of every error dacapo raises on purpose."""


class ConfigError(DacapoError, ValueError):
    """A config, option or argument has a value dacapo cannot use."""


class UnknownTypeError(ConfigError, KeyError):
    """A ``__type__`` (or other registered name) is not known."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RoiError(DacapoError, ValueError):
    """A region of interest lies outside an array or off its voxel grid."""


class ArrayNotFoundError(DacapoError, FileNotFoundError):
    """A container or dataset that should hold an array does not exist."""


class StoreError(DacapoError):
    """A store could not write or read what it was asked for."""


class DuplicateNameError(StoreError):
    """A different document is already stored under this name."""


class NoSuchNameError(StoreError, KeyError):
    """Nothing is stored under the requested name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NoSuchCheckpointError(StoreError, FileNotFoundError):
    """No weights are stored for the requested run and iteration (or best)."""
