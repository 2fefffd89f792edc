"""Predict worker: a run's model applied to the blocks the scheduler hands out.

Each worker is a process that loads the model once (the run's config from
the config store, the weights of ``iteration`` from the weights store) and
then runs the prediction engine (``dacapo._inference``) on its own daisy
client loop: it holds a few blocks at a time, so that reads are prefetched
and windows of several blocks share a forward pass, and releases each block
once its data is written (so a rerun's block tracking never skips a block
whose data is missing).

``spawn_worker(run_name, iteration, input_array_identifier,
output_array_identifier, origin, raw_range=None, blocks_per_pass=4,
half=False, skip_empty=False, compute_context=None)``; the output dataset
must exist. ``InProcessWorker(model)`` is this worker for a single worker
in the calling process: its blocks run one after the other with a model
already loaded, without a worker process to start (the same task id, so a
job resumes either way). Blocks need the context of the network (and of
the blended windows), do not conflict, and ``fit = "shrink"`` clips those
at the end of the ROI. As a command::

    python -m dacapo.blockwise.predict_worker start-worker -r RUN -i 1000 \\
        --input-container raw.zarr --input-dataset raw \\
        --output-container out.zarr --output-dataset prediction_RUN_1000 \\
        --origin 32,32,32
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

import attr
import click

from dacapo.blockwise.worker import (
    WorkerCommand,
    array_identifier,
    array_options,
    command_options,
    identifier_options,
    record_failure,
    worker_cli,
)

logger = logging.getLogger(__name__)

read_write_conflict: bool = False
fit: str = "shrink"


@attr.s(frozen=True)
class PredictJob:
    """What every worker of one prediction needs (picklable)."""

    run_name: str = attr.ib()
    iteration: int = attr.ib()
    input_array_identifier: Any = attr.ib()
    output_array_identifier: Any = attr.ib()
    origin: Tuple[int, ...] = attr.ib(converter=lambda o: tuple(int(v) for v in o))
    raw_range: Optional[Tuple[float, float]] = attr.ib(default=None)
    blocks_per_pass: int = attr.ib(default=4)
    half: bool = attr.ib(default=False)
    skip_empty: bool = attr.ib(default=False)

    def options(self) -> Dict[str, Any]:
        """The ``start-worker`` options that describe this job."""
        low, high = self.raw_range if self.raw_range is not None else (None, None)
        return {
            "run-name": self.run_name, "iteration": self.iteration,
            **identifier_options("input", self.input_array_identifier),
            **identifier_options("output", self.output_array_identifier),
            "origin": ",".join(str(v) for v in self.origin), "raw-min": low, "raw-max": high,
            "blocks-per-pass": self.blocks_per_pass,
        }


def spawn_worker(run_name: str, iteration: int, input_array_identifier: Any,
                 output_array_identifier: Any, origin: Any, raw_range: Any = None,
                 blocks_per_pass: int = 4, half: bool = False, skip_empty: bool = False,
                 compute_context: Any = None):
    """The worker function (no arguments): a ``PredictLoop`` in a worker process,
    or, when ``compute_context`` distributes workers, a command through it."""
    job = PredictJob(run_name, iteration, input_array_identifier, output_array_identifier,
                     origin, raw_range, blocks_per_pass, half, skip_empty)
    if compute_context is not None and getattr(compute_context, "distribute_workers", False):
        flags = (["--half"] if half else []) + (["--skip-empty"] if skip_empty else [])
        # the device of the context given, not of the options the job reads
        device = ["--device", str(compute_context.device)]
        command = [sys.executable, "-m", __name__, "start-worker",
                   *command_options(job.options()), *device, *flags]
        return WorkerCommand(command, compute_context)
    return PredictLoop(job, compute_context)


class PredictLoop:
    """A daisy worker function: predicts blocks until the scheduler has none left."""

    def __init__(self, job: PredictJob, compute_context: Any = None):
        self.job = job
        self.compute_context = compute_context

    def __call__(self, *, context: Any = None) -> None:
        run_predict_worker(self.job, self.compute_context, context)


def run_predict_worker(job: PredictJob, compute_context: Any = None, context: Any = None) -> None:
    """Loads the model, then predicts blocks from the scheduler (``context``,
    default ``DAISY_CONTEXT``) until there are none. A block that fails is
    handed back as failed (daisy retries it) and the worker goes on; an error
    outside any block fails the blocks this worker holds."""
    import daisy

    context = context if context is not None else daisy.Context.from_env()
    source = BlockSource(context)
    engine = _engine(job, worker_device(compute_context, int(context.get("worker_id", 0))))
    while True:
        try:
            engine.predict(source.blocks(), on_done=source.release, on_failed=source.fail)
            return
        except Exception as error:
            if not source.held:  # nothing to hand back: not a block's failure
                raise
            source.fail_all(error)


class InProcessWorker:
    """This worker module with blocks predicted in the calling process by
    ``model`` (already loaded: no worker process to start, no imports, no
    second model build). ``spawn_worker`` takes the module's arguments and
    returns a ``PredictBlocks`` block function, which daisy runs in this
    process, one block after the other (a single worker only).

    It has the module's name and file, so its jobs have the module's task
    id: a job started one way resumes the other way.
    """

    read_write_conflict: bool = read_write_conflict
    fit: str = fit

    def __init__(self, model: Any):
        self.model = model
        self.__name__ = __name__
        self.__file__ = __file__

    def spawn_worker(self, run_name: str, iteration: int, input_array_identifier: Any,
                     output_array_identifier: Any, origin: Any, raw_range: Any = None,
                     blocks_per_pass: int = 4, half: bool = False, skip_empty: bool = False,
                     compute_context: Any = None) -> "PredictBlocks":
        """A ``PredictBlocks`` for the job (see the module's ``spawn_worker``)."""
        job = PredictJob(run_name, iteration, input_array_identifier, output_array_identifier,
                         origin, raw_range, blocks_per_pass, half, skip_empty)
        return PredictBlocks(job, self.model, compute_context)


class PredictBlocks:
    """A block function: predicts and writes one block with ``model`` (made
    from the job when None), its engine made at the first block. A block
    that fails raises (the caller marks it failed and daisy retries it)."""

    def __init__(self, job: PredictJob, model: Any = None, compute_context: Any = None):
        self.job = job
        self.model = model
        self.compute_context = compute_context
        self._engine: Any = None

    def __call__(self, block: Any) -> None:
        if self._engine is None:
            self._engine = _engine(self.job, worker_device(self.compute_context), self.model)
        self._engine.predict([block])


class BlockSource:
    """Blocks from the scheduler, several held at a time.

    A daisy client that is told "no more blocks" drops the blocks it still
    holds, so each held block has its own client: a block is acquired
    through a client that holds none and handed back through the client that
    acquired it. Clients are opened as needed and reused.
    """

    def __init__(self, context: Any = None):
        self.context = context
        self.held: Dict[Any, Tuple[Any, Any, Any]] = {}
        self._free: List[Any] = []
        self._exhausted = False

    def blocks(self) -> Iterator[Any]:
        """Acquires blocks until the scheduler has none left for this worker."""
        import daisy

        while not self._exhausted:
            client = self._free.pop() if self._free else daisy.Client(self.context)
            manager = client.acquire_block()
            block = manager.__enter__()
            if block is None:
                manager.__exit__(None, None, None)
                self._exhausted = True
                return
            self.held[block.block_id] = (client, manager, block)
            yield block

    def release(self, block: Any) -> None:
        """Hands a finished block back (its data is written)."""
        client, manager, _ = self.held.pop(block.block_id)
        manager.__exit__(None, None, None)
        self._free.append(client)

    def fail(self, block: Any, error: BaseException) -> None:
        """Hands a block back as failed (daisy retries it), recording ``error``."""
        import daisy

        client, manager, _ = self.held.pop(block.block_id)
        block.status = daisy.BlockStatus.FAILED
        record_failure(block, error, client.context.get("logdir", ""))
        manager.__exit__(None, None, None)
        self._free.append(client)

    def fail_all(self, error: BaseException) -> None:
        """Hands every held block back as failed, recording ``error`` for each."""
        for _, _, block in list(self.held.values()):
            self.fail(block, error)


def _engine(job: PredictJob, device: Any, model: Any = None):
    """The job's engine, with ``model`` or (None) the job's model loaded."""
    from funlib.geometry import Coordinate

    from dacapo._inference import InferenceEngine
    from dacapo._inference_setup import load_model, open_input, run_config_of
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    if model is None:
        model = load_model(run_config_of(job.run_name), job.iteration)
    return InferenceEngine(
        model, open_input(job.input_array_identifier, job.raw_range),
        ZarrArray.open_from_array_identifier(job.output_array_identifier), device=device,
        blocks_per_pass=job.blocks_per_pass, half=job.half, origin=Coordinate(job.origin),
        skip_empty=job.skip_empty,
    )


def worker_device(compute_context: Any, worker_id: int = 0):
    """The compute context's device; a bare ``cuda`` on a machine with several
    GPUs becomes ``cuda:<worker id modulo their number>``."""
    import torch

    if compute_context is None:
        from dacapo.compute_context import create_compute_context

        compute_context = create_compute_context()
    device = torch.device(compute_context.device)
    count = torch.cuda.device_count() if device.type == "cuda" else 0
    if device.index is None and count > 1:
        device = torch.device("cuda", max(worker_id, 0) % count)
    return device


cli = worker_cli()


@cli.command("start-worker")
@click.option("-r", "--run-name", required=True, help="The run whose model predicts.")
@click.option("-i", "--iteration", type=int, required=True,
              help="Weights of this iteration (0: the freshly initialised model).")
@array_options("input", "output")
@click.option("--origin", required=True,
              help="World position where the window lattice starts, e.g. '32,32,32'.")
@click.option("--raw-min", type=float, default=None, help="Raw value mapped to 0.")
@click.option("--raw-max", type=float, default=None, help="Raw value mapped to 1.")
@click.option("--blocks-per-pass", type=int, default=4, show_default=True,
              help="Windows per forward pass (halved when GPU memory runs out).")
@click.option("--half", is_flag=True, help="Predict in half precision.")
@click.option("--skip-empty", is_flag=True, help="Skip blocks whose input is constant.")
@click.option("--device", default=None,
              help="'cpu', 'cuda', 'cuda:N' or 'mps'; default: the options' compute context.")
def start_worker(run_name: str, iteration: int, input_container: str, input_dataset: str,
                 output_container: str, output_dataset: str, origin: str,
                 raw_min: Optional[float], raw_max: Optional[float], blocks_per_pass: int,
                 half: bool, skip_empty: bool, device: Optional[str]) -> None:
    """Predict blocks handed out by the scheduler (DAISY_CONTEXT)."""
    raw_range = (raw_min, raw_max) if raw_min is not None and raw_max is not None else None
    job = PredictJob(
        run_name, iteration, array_identifier(input_container, input_dataset),
        array_identifier(output_container, output_dataset),
        [int(v) for v in origin.split(",")], raw_range, blocks_per_pass, half, skip_empty,
    )
    compute_context = None
    if device is not None:
        from dacapo.compute_context import LocalTorch

        compute_context = LocalTorch(device=device)
    run_predict_worker(job, compute_context)


if __name__ == "__main__":
    cli()
