"""Building blocks of worker modules (threshold, argmax, segment, relabel,
predict): load once, loop on blocks, or launch the same loop as a command.

A worker module defines ``read_write_conflict``, ``fit`` and
``spawn_worker(..., compute_context=None)``. ``spawn_worker`` returns
``worker_process(__name__, options, load, compute_context)``, where ``load()``
opens what the worker needs (arrays, a model) and returns the function that
processes one block, and ``options`` are the ``start-worker`` options that
make the same ``load`` in another process::

    def spawn_worker(input_array_identifier, output_array_identifier,
                     threshold=0.0, compute_context=None):
        load = partial(_load, input_array_identifier, output_array_identifier, threshold)
        options = {"input-container": input_array_identifier.container, ...}
        return worker_process(__name__, options, load, compute_context)

    cli = worker_cli()

    @cli.command("start-worker")
    @array_options("input", "output")      # --input-container, --input-dataset, ...
    @click.option("--threshold", type=float, default=0.0)
    def start_worker(input_container, input_dataset, output_container, ...):
        run_worker(LazyBlockFunction(partial(_load, ...)))

``worker_process`` returns, when the compute context does not distribute
workers (or there is none), ``LazyBlockFunction(load)``: a picklable block
function that calls ``load`` on its first block, in whichever process runs it.
When it distributes workers, it returns a ``WorkerCommand``: a function of no
arguments that runs ``python -m <module> start-worker <options>`` (``python
<worker file> ...`` for worker files outside dacapo) through the
context (``bsub``, ``sbatch``, or a plain process), which connects to the
scheduler through the ``DAISY_CONTEXT`` variable and loops with
``run_worker``.

``load`` travels to worker processes, so it must be picklable: a module-level
function with its arguments bound by ``functools.partial``; what it returns
stays in the process that loaded it. A worker with its own ``daisy.Client``
loop reports a failed block with ``record_failure`` (the traceback goes to
its log and to ``run_blockwise``'s error) and marks the block failed.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional

import click

logger = logging.getLogger(__name__)

__all__ = [
    "ClientLoop",
    "LazyBlockFunction",
    "WorkerCommand",
    "array_identifier",
    "array_options",
    "command_options",
    "failure_dir",
    "format_failure",
    "identifier_options",
    "record_failure",
    "run_worker",
    "worker_cli",
    "worker_process",
]

#: the environment variable through which a worker finds the scheduler
DAISY_CONTEXT = "DAISY_CONTEXT"


class LazyBlockFunction:
    """A block function that calls ``load()`` once, on its first block, and
    then the function ``load`` returned for every block.

    A failed ``load`` is remembered (``broken``) and raised again for later
    blocks instead of loading again; a worker loop then stops, so the
    scheduler starts a fresh worker.
    """

    def __init__(self, load: Callable[[], Callable[[Any], Any]]):
        self.load = load
        self._process: Optional[Callable[[Any], Any]] = None
        self._error: Optional[BaseException] = None

    @property
    def broken(self) -> bool:
        """Whether ``load`` failed."""
        return self._error is not None

    def __call__(self, block) -> None:
        if self._process is None:
            if self._error is not None:
                raise self._error
            try:
                self._process = self.load()
            except Exception as error:
                self._error = error
                raise
        self._process(block)

    def __getstate__(self):  # what was loaded stays in this process
        return {"load": self.load, "_process": None, "_error": None}


def run_worker(process: Callable[[Any], Any], context: Any = None) -> None:
    """Processes blocks from the scheduler until there are none left.

    ``context`` is the daisy ``Context`` (default: the ``DAISY_CONTEXT``
    environment variable). A block whose processing raises is marked failed
    (the scheduler retries it up to ``max_retries`` times) and the worker goes
    on with the next block; its traceback goes to this worker's log and to
    ``<log dir>/<task id>/failures/``, where ``run_blockwise`` finds it. When
    ``process`` is ``broken`` (it could not load), the worker stops instead.
    """
    import daisy

    client = daisy.Client(context)
    while True:
        with client.acquire_block() as block:
            if block is None:
                return
            try:
                process(block)
            except Exception as error:
                block.status = daisy.BlockStatus.FAILED
                record_failure(block, error, client.context.get("logdir", ""))
        if getattr(process, "broken", False):
            raise RuntimeError(f"worker stopped: {process!r} could not load what it needs "
                               "(traceback in this worker's log)")


def failure_dir(logdir: Any, task_id: str) -> Optional[Path]:
    """Where workers leave the tracebacks of failed blocks of a task (None
    when worker logs are off)."""
    return Path(logdir) / task_id / "failures" if logdir else None


#: files whose frames lead every worker traceback: left out of the reports
_WRAPPERS = {str(Path(__file__).with_name(n)) for n in
             ("worker.py", "_worker_spec.py", "blockwise_task.py")}


def format_failure(error: BaseException) -> str:
    """The traceback of ``error`` without the leading frames of dacapo's
    worker wrappers."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None and (
        tb.tb_frame.f_code.co_filename in _WRAPPERS
    ):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def record_failure(block, error: BaseException, logdir: Any) -> str:
    """Writes the traceback of a failed block to this worker's log (stderr)
    and to ``failure_dir`` (when ``logdir``), logs one line; returns it."""
    text = format_failure(error)
    # the worker's stderr is its daisy log file, whatever logging is configured
    sys.stderr.write(f"block {block.block_id} failed:\n{text}\n")
    sys.stderr.flush()
    logger.warning("block %s failed: %s: %s", block.block_id, type(error).__name__, error)
    directory = failure_dir(logdir, block.task_id)
    if directory is None:
        return text
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"block_{block.block_id[1]}.txt"
        tmp = directory / f".{path.name}.{os.getpid()}.tmp"
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:  # the traceback is in the log anyway
        logger.debug("could not record the failure of block %s", block.block_id, exc_info=True)
    return text


class ClientLoop:
    """``run_worker(process)`` as a daisy worker function (no positional
    arguments), so that a block failure does not end the worker process."""

    def __init__(self, process: Callable[[Any], Any]):
        self.process = process

    def __call__(self, *, context: Any = None) -> None:
        run_worker(self.process, context)


class WorkerCommand:
    """A daisy worker function that runs ``command`` through
    ``compute_context.execute``, passing on the scheduler's address."""

    def __init__(self, command: List[str], compute_context: Any):
        self.command = list(command)
        self.compute_context = compute_context

    def __call__(self, *, context: Any = None) -> None:
        if context is not None:
            # this is the dedicated process daisy started for one worker, so
            # the variable reaches exactly this worker's command
            os.environ[DAISY_CONTEXT] = context.to_env()
        logger.info("starting worker: %s", " ".join(self.command))
        result = self.compute_context.execute(self.command)
        returncode = getattr(result, "returncode", 0)
        if returncode:
            raise RuntimeError(f"worker command {self.command} exited with status {returncode}")


def command_options(options: Mapping[str, Any]) -> List[str]:
    """``{"input-container": "a.zarr", "threshold": 0.5}`` ->
    ``["--input-container", "a.zarr", "--threshold", "0.5"]`` (``None`` values
    are left out)."""
    arguments: List[str] = []
    for name, value in options.items():
        if value is not None:
            arguments += [f"--{name}", str(value)]
    return arguments


def worker_process(module: str, options: Mapping[str, Any],
                   load: Callable[[], Callable[[Any], Any]], compute_context: Any = None):
    """The process function a worker module's ``spawn_worker`` returns: the
    block function ``LazyBlockFunction(load)``, or, when ``compute_context``
    distributes workers, a ``WorkerCommand`` running
    ``python -m <module> start-worker <options>``."""
    if compute_context is None or not getattr(compute_context, "distribute_workers", False):
        return LazyBlockFunction(load)
    command = [sys.executable, *_launch(module), "start-worker", *command_options(options)]
    return WorkerCommand(command, compute_context)


def _launch(module: str) -> List[str]:
    """``-m <module>`` for dacapo's own workers; the file of any other worker
    module, which a new interpreter may not import by name."""
    if module.startswith("dacapo."):
        return ["-m", module]
    return [str(sys.modules[module].__file__)]


#: environment variables holding the id of the cluster job a worker runs in
_JOB_ID_VARIABLES = {"LSB_JOBID": "LSF", "SLURM_JOB_ID": "Slurm"}


def _configure_logging(log_level: str) -> None:
    """A dacapo blockwise worker; the scheduler starts it with `start-worker`."""
    logging.basicConfig(level=getattr(logging, log_level.upper()))
    for variable, scheduler in _JOB_ID_VARIABLES.items():
        if os.environ.get(variable):
            logger.info("worker running in %s job %s", scheduler, os.environ[variable])


def worker_cli() -> click.Group:
    """A new click group with ``--log-level``, for one worker module's
    ``start-worker`` command (``cli = worker_cli()``, then
    ``@cli.command("start-worker")``)."""
    option = click.option(
        "--log-level",
        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                          case_sensitive=False),
        default="INFO",
        show_default=True,
        help="Level of the messages this worker logs.",
    )
    return click.group()(option(_configure_logging))


def array_options(*names: str) -> Callable[[Callable], Callable]:
    """click options ``--<name>-container`` and ``--<name>-dataset`` for each
    name (also spelled with underscores, as upstream DaCapo does)."""

    def decorate(command: Callable) -> Callable:
        for name in reversed(names):
            for part, help_text in (("dataset", "Dataset inside the container."),
                                    ("container", "Zarr or N5 container.")):
                command = click.option(
                    f"--{name}-{part}", f"--{name}_{part}", required=True,
                    help=f"{name.capitalize()} array: {help_text}",
                )(command)
        return command

    return decorate


def array_identifier(container: str, dataset: str) -> Any:
    """The ``LocalArrayIdentifier`` of a worker's container and dataset options."""
    from dacapo._array_identifiers import LocalArrayIdentifier

    return LocalArrayIdentifier(container, dataset)


def identifier_options(name: str, identifier: Any) -> dict:
    """``{"<name>-container": ..., "<name>-dataset": ...}`` for ``command_options``."""
    return {f"{name}-container": identifier.container, f"{name}-dataset": identifier.dataset}
