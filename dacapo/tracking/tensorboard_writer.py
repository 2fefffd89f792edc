"""TensorBoard event files, through ``torch.utils.tensorboard`` (needs the
``tensorboard`` package)."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Mapping, Optional

from dacapo.tracking.writer import MetricsWriter

logger = logging.getLogger(__name__)

__all__ = ["TensorBoardWriter"]

#: event file names start with the second they were made in (then host, pid and counter)
_EVENT_FILE = re.compile(r"^events\.out\.tfevents\.(\d+)\.")
#: the longest wait for a second no event file of the directory was made in
_MAX_WAIT = 2.0


class TensorBoardWriter(MetricsWriter):
    """Writes scalars as TensorBoard events into ``log_dir``.

    Each training session adds an event file. ``purge_step`` is the iteration
    training resumes from: TensorBoard then drops the events that earlier
    sessions wrote at that step or later (e.g. iterations trained after the
    last checkpoint before a crash), so no step is shown twice. That needs
    the files read in the order they were made: TensorBoard reads them in name
    order, and the names start with the second they were made in, so a
    session waits (at most a second) for a second no earlier file was made in.
    """

    purges_on_resume = True

    def __init__(self, log_dir: Path, purge_step: int = 0):
        from torch.utils.tensorboard import SummaryWriter

        self.log_dir = Path(log_dir)
        _wait_for_a_later_second(self.log_dir)
        self._writer = SummaryWriter(log_dir=str(self.log_dir), purge_step=int(purge_step))
        logger.debug("TensorBoard events go to %s (from step %d)", self.log_dir, purge_step)

    def __repr__(self) -> str:
        return f"TensorBoardWriter({str(self.log_dir)!r})"

    def log_scalars(self, metrics: Mapping[str, float], step: int) -> None:
        for tag, value in metrics.items():
            self._writer.add_scalar(tag, float(value), global_step=int(step))

    def flush(self) -> None:
        self._writer.flush()

    def close(self, status: str = "FINISHED") -> None:
        self._writer.close()


def _wait_for_a_later_second(log_dir: Path) -> None:
    """Returns once the clock is past the second of the newest event file."""
    newest = _newest_second(log_dir)
    deadline = time.monotonic() + _MAX_WAIT
    while newest is not None and int(time.time()) <= newest and time.monotonic() < deadline:
        time.sleep(0.02)


def _newest_second(log_dir: Path) -> Optional[int]:
    if not log_dir.is_dir():
        return None
    seconds = [int(m.group(1)) for p in log_dir.iterdir() if (m := _EVENT_FILE.match(p.name))]
    return max(seconds, default=None)
