"""``gp.PreCache`` whose data workers always hand their errors back."""

from __future__ import annotations

import pickle
import traceback
from typing import Optional

import gunpowder as gp

from dacapo.errors import DacapoError

__all__ = ["PreCache", "portable_error"]


class PreCache(gp.PreCache):
    """``gp.PreCache`` whose workers send back an error that survives pickling.

    gunpowder puts a worker's exception object in a multiprocessing queue; one
    that cannot be pickled (e.g. because the failing node holds an open file)
    is dropped there, and the training process would wait for it forever.
    Each worker's error is replaced by ``portable_error(error)`` first.
    """

    def _run_worker(self):
        try:
            return super()._run_worker()
        except Exception as error:
            raise portable_error(error) from None


def portable_error(error: BaseException) -> Exception:
    """The ``DacapoError`` in ``error``'s chain (rebuilt as the nearest class of
    ``dacapo.errors`` from its text if it does not pickle), else a
    ``RuntimeError`` carrying ``error``'s traceback as text."""
    cause: Optional[BaseException] = error
    while cause is not None:
        if isinstance(cause, DacapoError):
            return cause if _pickles(cause) else _dacapo_class(cause)(str(cause))
        cause = cause.__cause__ or cause.__context__
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return RuntimeError(f"a data worker (num_data_fetchers) failed:\n{text}")


def _pickles(error: BaseException) -> bool:
    try:
        pickle.dumps(error)
    except Exception:
        return False
    return True


def _dacapo_class(error: DacapoError) -> type:
    return next(c for c in type(error).__mro__ if c.__module__ == DacapoError.__module__)
