"""Running blockwise workers as LSF jobs: each worker command becomes
``bsub -K ... <command>``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import attr

from ._validators import WORD, boolean, count, matching
from ._worker_logs import worker_logs
from .compute_context import ComputeContext

if TYPE_CHECKING:
    import torch

__all__ = ["Bsub"]

_queue = matching(WORD, "a non-empty name without spaces", "use a queue that `bqueues` lists",
                  optional=False)
_project = matching(WORD, "a non-empty name without spaces",
                    "use a project your cluster accepts for `bsub -P`, or null for its default")


@attr.s
class Bsub(ComputeContext):
    """Runs each blockwise worker as an LSF job submitted with ``bsub``.

    A worker command becomes ``bsub -K -q <queue> -n <num_cpus> -J
    dacapo_<task>_w<worker> -o <out> -e <err> [-gpu num=<num_gpus>] [-P
    <billing>] <command>``. ``-K`` makes ``bsub`` wait for the job and exit
    with its exit status, so the daisy worker lives as long as its LSF job:
    a job that fails or is killed (``bkill``, run limit, preemption) is a
    failed worker, and daisy starts another and retries the blocks it held.
    The job's output is appended (LSF's ``-o``/``-e``) to daisy's log files
    of that worker, ``daisy_logs/<task>/worker_<id>.{out,err}``, next to
    daisy's own lines; ``bsub``'s messages (the job id) go there too.

    LSF gives the job the submitting environment, so the worker finds the
    scheduler (``DAISY_CONTEXT``) and the options (``DACAPO_OPTIONS_FILE``);
    its working directory is the submitting one (on a shared file system).
    """

    distribute_workers: bool = attr.ib(
        default=True,
        validator=boolean,
        metadata={
            "help_text": "Whether blockwise workers run as LSF jobs (True) or inside the "
            "calling process (False)."
        },
    )
    queue: str = attr.ib(
        default="local",
        validator=_queue,
        metadata={"help_text": "The LSF queue the worker jobs are submitted to (bsub -q)."},
    )
    num_gpus: int = attr.ib(
        default=1,
        validator=count(0),
        metadata={
            "help_text": "GPUs per worker job (bsub -gpu num=N); 0: none, and the workers "
            "compute on the CPU."
        },
    )
    num_cpus: int = attr.ib(
        default=5,
        validator=count(1),
        metadata={"help_text": "CPU slots per worker job (bsub -n)."},
    )
    billing: Optional[str] = attr.ib(
        default=None,
        validator=_project,
        metadata={
            "help_text": "The LSF project charged for the jobs (bsub -P); null: the "
            "cluster's default."
        },
    )

    @property
    def device(self) -> "torch.device":
        """CUDA when the jobs get GPUs, else the CPU."""
        import torch

        return torch.device("cuda" if self.num_gpus > 0 else "cpu")

    def _wrap_command(self, command: List[str]) -> List[str]:
        """``bsub -K ... <command>`` for the daisy worker ``DAISY_CONTEXT`` in
        this process's environment names (see ``worker_logs``); creates the
        directory of its log files, which LSF does not."""
        logs = worker_logs()
        logs.make_dirs()
        options = ["-K", "-q", self.queue, "-n", str(self.num_cpus), "-J", logs.job_name,
                   "-o", str(logs.out), "-e", str(logs.err)]
        if self.num_gpus > 0:
            options += ["-gpu", f"num={self.num_gpus}"]
        if self.billing is not None:
            options += ["-P", self.billing]
        return ["bsub", *options, *command]
