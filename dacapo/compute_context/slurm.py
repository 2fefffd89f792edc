"""Running blockwise workers as Slurm jobs: each worker command becomes
``srun ... <command>``."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, List, Mapping, Optional

import attr

from dacapo._checks import as_list, fail, owner_of

from ._validators import WORD, boolean, count, matching
from ._worker_logs import WorkerLogs, worker_logs
from .compute_context import ComputeContext

if TYPE_CHECKING:
    import torch

__all__ = ["Slurm"]

# --mem: an integer amount, in megabytes unless a K, M, G or T suffix says otherwise
_MEMORY = re.compile(r"^\d+[KMGT]?$", re.IGNORECASE)
# --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
# days-hours:minutes, days-hours:minutes:seconds, or no limit
_TIME = re.compile(r"^(\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2}|unlimited|infinite)$", re.IGNORECASE)
#: variables of the job a submitting process runs in that must not reach srun
#: (they would make srun start a step of that job); SLURM_CONF is kept
_KEEP = {"SLURM_CONF"}
#: environment the worker command needs inside the job
_NEEDED = ("DAISY_CONTEXT", "DACAPO_OPTIONS_FILE")


def _extra_args(instance, attribute, value):
    owner = owner_of(instance)
    if not isinstance(value, list) or not all(isinstance(a, str) and a for a in value):
        fail(owner, "extra_args", value, "a list of non-empty strings",
             "one list item per argument, e.g. ['--qos=high', '--constraint=a100']")
    if value and not value[0].startswith("-"):
        fail(owner, "extra_args", value, "a list of srun options starting with an option",
             f"{value[0]!r} would be taken for the command to run; write it as an "
             f"option, e.g. '--{value[0]}'")
    export = _export_value(value)
    if export is not None and not export.upper().startswith("ALL") and not all(
        name in export.split(",") for name in _NEEDED
    ):
        fail(owner, "extra_args", value,
             f"a list whose --export passes {' and '.join(_NEEDED)} to the job",
             f"use --export=ALL,... or name them, e.g. --export={','.join(_NEEDED)},PATH")


def _export_value(args: List[str]) -> Optional[str]:
    """The value of the last ``--export`` among ``args`` (None without one)."""
    value = None
    for i, arg in enumerate(args):
        if arg.startswith("--export="):
            value = arg.split("=", 1)[1]
        elif arg == "--export":
            value = args[i + 1] if i + 1 < len(args) else ""
    return value


@attr.s
class Slurm(ComputeContext):
    """Runs each blockwise worker as a Slurm job started with ``srun``.

    A worker command becomes ``srun --job-name=dacapo_<task>_w<worker>
    --output=<out> --error=<err> --open-mode=append --export=ALL --nodes=1
    --ntasks=1 --cpus-per-task=<num_cpus> [--gres=gpu:<num_gpus>]
    [--partition=...] [--mem=...] [--time=...] [--account=...] <extra_args>
    <command>``. The job's output is appended to daisy's log files of that
    worker, ``daisy_logs/<task>/worker_<id>.{out,err}``, after daisy's own
    lines; ``srun``'s messages go to the ``.err`` file too, and the worker
    logs the id of its job (``SLURM_JOB_ID``) when it starts.

    Why ``srun`` and not ``sbatch --wait``: both make the daisy worker wait
    for its job and exit with the job's status, so a job that Slurm kills
    (``scancel``, time limit, preemption) is a failed worker, and daisy starts
    another and retries the blocks it held. ``srun`` returns the moment the
    job ends, where ``sbatch --wait`` polls the controller at growing
    intervals (2, 8, 32 s), which delays every worker's end by seconds; and an
    ``srun`` that is killed (e.g. when the daisy worker is interrupted) takes
    its job with it, where a killed ``sbatch --wait`` leaves the job running.

    The job gets the submitting environment (``--export=ALL``, Slurm's
    default), so the worker finds the scheduler (``DAISY_CONTEXT``) and the
    options (``DACAPO_OPTIONS_FILE``); an ``--export`` in ``extra_args`` must
    keep them. Its working directory is the submitting one (on a shared file
    system). When the submitting process itself runs inside a Slurm job, the
    ``SLURM_*`` variables of that job are removed from ``srun``'s
    environment (``env -u ...``), so that each worker is a job of its own,
    not a step of the enclosing one.
    """

    distribute_workers: bool = attr.ib(
        default=True,
        validator=boolean,
        metadata={
            "help_text": "Whether blockwise workers run as Slurm jobs (True) or inside the "
            "calling process (False)."
        },
    )
    partition: Optional[str] = attr.ib(
        default=None,
        validator=matching(WORD, "a partition name without spaces",
                            "use a name `sinfo` lists"),
        metadata={"help_text": "The partition the worker jobs run in (srun --partition); "
                               "null: the cluster's default partition."},
    )
    num_gpus: int = attr.ib(
        default=0,
        validator=count(0),
        metadata={
            "help_text": "GPUs per worker job (srun --gres=gpu:N); 0 (the default): none, "
            "and the workers compute on the CPU."
        },
    )
    num_cpus: int = attr.ib(
        default=1,
        validator=count(1),
        metadata={"help_text": "CPUs per worker job (srun --cpus-per-task)."},
    )
    memory: Optional[str] = attr.ib(
        default=None,
        validator=matching(_MEMORY, "a Slurm memory size such as '8G', '500M' or '4000' "
                            "(megabytes)", "write an integer with an optional K, M, G or "
                            "T suffix, as a string"),
        metadata={"help_text": "Memory per worker job (srun --mem), e.g. '8G'; null: the "
                               "partition's default."},
    )
    time_limit: Optional[str] = attr.ib(
        default=None,
        validator=matching(_TIME, "a Slurm time limit such as '30' (minutes), '2:00:00' "
                            "or '1-12:00:00'", "use minutes, [hours:]minutes:seconds or "
                            "days-hours[:minutes[:seconds]], as a string"),
        metadata={"help_text": "Run time limit of each worker job (srun --time), in Slurm's "
                               "formats, e.g. '30', '2:00:00', '1-0'; null: the partition's "
                               "default."},
    )
    account: Optional[str] = attr.ib(
        default=None,
        validator=matching(WORD, "an account name without spaces",
                            "use an account `sacctmgr show assoc user=$USER` lists"),
        metadata={"help_text": "The account charged for the jobs (srun --account); null: "
                               "your default account."},
    )
    # typed Any: the options reader would split a string given instead of a
    # list into characters; the validator names that mistake
    extra_args: Any = attr.ib(
        factory=list,
        converter=as_list,
        validator=_extra_args,
        metadata={"help_text": "Further srun options, one list item per argument, e.g. "
                               "['--qos=high', '--constraint=a100']; they come last, so "
                               "they override the options above."},
    )

    @property
    def device(self) -> "torch.device":
        """CUDA when the jobs get GPUs, else the CPU."""
        import torch

        return torch.device("cuda" if self.num_gpus > 0 else "cpu")

    def _wrap_command(self, command: List[str]) -> List[str]:
        """``srun ... <command>`` for the daisy worker ``DAISY_CONTEXT`` in this
        process's environment names (see ``worker_logs``); creates the
        directory of its log files, which Slurm does not."""
        logs = worker_logs()
        logs.make_dirs()
        return [*_leave_enclosing_job(os.environ), "srun", *self._srun_options(logs),
                *command]

    def _srun_options(self, logs: WorkerLogs) -> List[str]:
        options = [f"--job-name={logs.job_name}", f"--output={logs.out}",
                   f"--error={logs.err}", "--open-mode=append", "--export=ALL",
                   "--nodes=1", "--ntasks=1", f"--cpus-per-task={self.num_cpus}"]
        if self.num_gpus > 0:
            options.append(f"--gres=gpu:{self.num_gpus}")
        for flag, value in (("--partition", self.partition), ("--mem", self.memory),
                            ("--time", self.time_limit), ("--account", self.account)):
            if value is not None:
                options.append(f"{flag}={value}")
        return options + list(self.extra_args)


def _leave_enclosing_job(environ: Mapping[str, str]) -> List[str]:
    """``env -u SLURM_...`` for each variable of the Slurm job this process
    runs in (none outside a job)."""
    if not (environ.get("SLURM_JOB_ID") or environ.get("SLURM_JOBID")):
        return []
    names = sorted(n for n in environ if n.startswith("SLURM_") and n not in _KEEP)
    return ["env", *(part for name in names for part in ("-u", name))]
