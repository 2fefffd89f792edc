"""The interface of a metrics writer: scalars by tag and step, for one run."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Mapping

__all__ = ["MetricsWriter"]


class MetricsWriter(ABC):
    """Sends the scalar metrics of one run somewhere (event files, a server).

    Tags look like ``train/loss`` or ``validation/<dataset>/<criterion>``; the
    step is the training iteration.
    """

    #: a writer that, when a run resumes from iteration ``n``, hides whatever
    #: an earlier session wrote at steps ``>= n`` (TensorBoard's purge)
    purges_on_resume: bool = False

    @abstractmethod
    def log_scalars(self, metrics: Mapping[str, float], step: int) -> None:
        """Records each ``tag -> value`` of ``metrics`` at ``step``."""

    def flush(self) -> None:  # noqa: B027 - writers without a buffer need nothing
        """Makes everything recorded so far visible to readers."""

    def close(self, status: str = "FINISHED") -> None:  # noqa: B027 - optional
        """Flushes and releases the writer; ``status`` is how training ended
        (``FINISHED``, ``KILLED`` on an interrupt, ``FAILED`` on an error)."""
