"""Errors raised by dacapo.

Every class also subclasses the builtin exception a caller would expect, so
``except ValueError`` keeps working while ``except DacapoError`` catches all of
dacapo's own failures. Messages name the culprit (config, array, file, key),
what was given, what was expected and, where there is one, the fix.
"""

from __future__ import annotations

from typing import Tuple

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
    "BlockwiseError",
]


class DacapoError(Exception):
    """Base class of every error dacapo raises on purpose.

    ``context`` lists where the error happened, outermost first (``"RunConfig
    'r', field 'task_config'"``); ``str(error)`` joins it before the message.
    """

    context: Tuple[str, ...] = ()

    def with_context(self, context: str) -> "DacapoError":
        """Adds ``context`` (outermost so far) and returns this same error, so
        ``raise error.with_context(...)`` keeps its type and attributes."""
        self.context = (context, *self.context)
        return self

    @property
    def message(self) -> str:
        """The message without its context."""
        return str(self.args[0]) if len(self.args) == 1 else Exception.__str__(self)

    def __str__(self) -> str:  # KeyError subclasses would quote the message
        return ": ".join((*self.context, self.message))


class ConfigError(DacapoError, ValueError):
    """A config, option or argument has a value dacapo cannot use."""


class UnknownTypeError(ConfigError, KeyError):
    """A ``__type__`` (or other registered name) is not known."""


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


class NoSuchCheckpointError(StoreError, FileNotFoundError):
    """No weights are stored for the requested run and iteration (or best)."""


class BlockwiseError(DacapoError):
    """Blocks of a blockwise job failed (or its workers could not run); the
    message names the task, the failed blocks and where the worker logs are."""
