"""Which daisy worker a command is launched for, and where its logs go.

A blockwise worker command runs with ``DAISY_CONTEXT`` set (see
``dacapo.blockwise.worker.WorkerCommand``); cluster contexts name their jobs
after it and write the job's output next to daisy's own worker logs,
``<log dir>/<task id>/worker_<worker id>.{out,err}``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Mapping, Optional

import attr

__all__ = ["WorkerLogs", "worker_logs"]

#: the log directory daisy uses unless told otherwise
DEFAULT_LOG_DIR = "daisy_logs"


@attr.s(frozen=True)
class WorkerLogs:
    """The identity of one worker and its log files."""

    task_id: str = attr.ib()
    worker_id: str = attr.ib()
    log_dir: Path = attr.ib(converter=Path)

    @property
    def out(self) -> Path:
        """The file that receives the worker's standard output."""
        return self.log_dir / self.task_id / f"worker_{self.worker_id}.out"

    @property
    def err(self) -> Path:
        """The file that receives the worker's standard error."""
        return self.log_dir / self.task_id / f"worker_{self.worker_id}.err"

    @property
    def job_name(self) -> str:
        """A scheduler job name telling which task and worker the job runs."""
        return f"dacapo_{self.task_id}_w{self.worker_id}"

    def make_dirs(self) -> None:
        """Creates the directory of the log files (schedulers do not)."""
        self.out.parent.mkdir(parents=True, exist_ok=True)


def worker_logs(environ: Optional[Mapping[str, str]] = None) -> WorkerLogs:
    """The worker that ``DAISY_CONTEXT`` in ``environ`` (default: this process's
    environment) describes; outside daisy, ``dacapo/command_<pid>`` under
    ``./daisy_logs``."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    fields = _parse_context(env.get("DAISY_CONTEXT", ""))
    if "task_id" not in fields or "worker_id" not in fields:
        return WorkerLogs("dacapo", f"command_{os.getpid()}", DEFAULT_LOG_DIR)
    return WorkerLogs(fields["task_id"], fields["worker_id"],
                      fields.get("logdir") or DEFAULT_LOG_DIR)


def _parse_context(text: str) -> Dict[str, str]:
    """``task_id=t:worker_id=3:...`` as a dict (daisy's ``Context.to_env`` form)."""
    fields: Dict[str, str] = {}
    for item in text.split(":"):
        key, sep, value = item.partition("=")
        if sep:
            fields[key] = value
    return fields
