"""``dacapo run-blockwise`` and ``dacapo segment-blockwise``: run a worker
file (or segment a volume) block by block over a ROI given in voxels.

Options the command does not know, ``--name value``, are the worker's (or
the segment function's) parameters; numbers are passed as int or float.
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Optional, Tuple

import click

from ._blockwise_setup import (
    block_geometry,
    create_output,
    extra_parameters,
    load_segment_function,
    load_worker,
    require_known_parameters,
)
from ._common import INPUT_CONTAINER, INPUT_DATASET
from ._errors import bad_parameter
from ._options import option
from ._requirements import require_dataset
from ._types import DTYPE, ROI_VOXELS, SHAPE, Bounds, ShapeText

__all__ = ["run_blockwise", "segment_blockwise"]

_EXTRA = {"ignore_unknown_options": True, "allow_extra_args": True}
_SPAWN_ARGUMENTS = ("input_array_identifier", "output_array_identifier", "compute_context")


def _shared_options(command: Any) -> Any:
    """Input, output, ROIs and scheduling options of both commands."""
    decorators = [
        INPUT_CONTAINER, INPUT_DATASET,
        option("-oc", "--output-container", required=True, type=click.Path(file_okay=False),
               help="Zarr or N5 container of the output (created if missing)."),
        option("-od", "--output-dataset", required=True, help="Dataset of the output."),
        option("-tr", "--total-roi", type=ROI_VOXELS, default=None,
               show_default="the input's ROI",
               help="Region blocks read from, in voxels of the input, begin:end per axis."),
        option("-rr", "--read-roi-size", required=True, type=SHAPE,
               help="Size of the region a block reads, in voxels, one per axis."),
        option("-wr", "--write-roi-size", required=True, type=SHAPE,
               help="Size of the region a block writes (the output's chunks), in voxels."),
        option("-nw", "--num-workers", type=click.IntRange(min=1), default=16,
               help="Worker processes (more than one only where the compute context "
               "distributes workers)."),
        option("-mr", "--max-retries", type=click.IntRange(min=0), default=2,
               help="Times a failed block is retried."),
        option("-t", "--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
               show_default="600 s, daisy's",
               help="Seconds one block may take before its worker is stopped."),
        option("--overwrite/--no-overwrite", "-ow", default=True,
               help="Replace an existing output; --no-overwrite keeps one of the same geometry "
               "and skips the blocks an earlier run finished."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@click.command("run-blockwise", context_settings=_EXTRA,
               short_help="Run a worker file over a volume, block by block.")
@_shared_options
@option("-w", "--worker-file", required=True,
        help="Worker file (defines read_write_conflict, fit and spawn_worker), or a module "
        "such as dacapo.blockwise.threshold_worker.")
@option("-co", "--channels-out", type=click.IntRange(min=1), default=None,
        show_default="no channel axis", help="Channels of the output.")
@option("-dt", "--output-dtype", type=DTYPE, default="uint8", help="dtype of the output.")
@click.pass_context
def run_blockwise(ctx: click.Context, input_container: str, input_dataset: str,
                  output_container: str, output_dataset: str, total_roi: Optional[Bounds],
                  read_roi_size: Tuple[int, ...], write_roi_size: Tuple[int, ...],
                  num_workers: int, max_retries: int, timeout: Optional[float],
                  overwrite: bool, worker_file: str, channels_out: Optional[int],
                  output_dtype: str) -> None:
    """Create the output dataset (chunks of one write block, the input's voxel
    size) and run WORKER_FILE over the total ROI. Other --name value options
    are the worker's parameters (e.g. --threshold 0.5).

    \f
    Calls ``dacapo.blockwise.run_blockwise`` with the worker module, the ROIs
    in world units, the input and output array identifiers and the extra
    parameters as keyword arguments of ``spawn_worker``.
    """
    from dacapo.blockwise import run_blockwise as run

    parameters = extra_parameters(ctx.args)
    worker = load_worker(ctx, worker_file)
    require_known_parameters(ctx, worker.spawn_worker, parameters, _SPAWN_ARGUMENTS,
                             f"worker {worker.__name__}")
    input_id, output_id, array = _arrays(ctx, input_container, input_dataset,
                                         output_container, output_dataset)
    geometry = block_geometry(ctx, array, total_roi, read_roi_size, write_roi_size)
    create_output(output_id, array, geometry.total_roi, channels_out, output_dtype,
                  geometry.write_roi, overwrite)
    run(worker, geometry.total_roi, geometry.read_roi, geometry.write_roi,
        num_workers=num_workers, max_retries=max_retries, timeout=timeout,
        input_array_identifier=input_id, output_array_identifier=output_id, **parameters)
    click.echo(f"written: {output_id.container} dataset {output_id.dataset!r}")


@click.command("segment-blockwise", context_settings=_EXTRA,
               short_help="Segment a volume block by block into one segmentation.")
@_shared_options
@option("-sf", "--segment-function-file", required=True,
        help="File defining segment_function(input_array, block, **parameters) (and "
        "optionally default_parameters), or module:name.")
@option("-c", "--context", type=ShapeText("voxels", allow_zero=True), default=None,
        show_default="(read size - write size) / 2",
        help="Context read around each block's write region on every side, in voxels, one "
        "per axis.")
@option("--keep-tmpdir", is_flag=True, default=False,
        help="Keep the block faces and the relabelling table after success.")
@click.pass_context
def segment_blockwise(ctx: click.Context, input_container: str, input_dataset: str,
                      output_container: str, output_dataset: str,
                      total_roi: Optional[Bounds], read_roi_size: Tuple[int, ...],
                      write_roi_size: Tuple[int, ...], num_workers: int, max_retries: int,
                      timeout: Optional[float], overwrite: bool, segment_function_file: str,
                      context: Optional[Tuple[int, ...]], keep_tmpdir: bool) -> None:
    """Segment the total ROI block by block with a segment function, joining
    objects across block faces into one uint64 segmentation. Other --name
    value options are the segment function's parameters.

    \f
    Calls ``dacapo.blockwise.segment_blockwise`` with the ROIs and the
    context in world units; the extra options become ``parameters``.
    """
    from dacapo.blockwise import segment_blockwise as segment

    parameters = extra_parameters(ctx.args)
    function, _defaults = load_segment_function(ctx, segment_function_file)
    positional = list(inspect.signature(function).parameters)[:2]
    require_known_parameters(ctx, function, parameters, positional,
                             f"segment function {segment_function_file}")
    input_id, output_id, array = _arrays(ctx, input_container, input_dataset,
                                         output_container, output_dataset)
    geometry = block_geometry(ctx, array, total_roi, read_roi_size, write_roi_size, context)
    create_output(output_id, array, geometry.total_roi, None, "uint64", geometry.write_roi,
                  overwrite)
    segment(segment_function_file, geometry.context, geometry.total_roi, geometry.read_roi,
            geometry.write_roi, num_workers=num_workers, max_retries=max_retries,
            timeout=timeout, keep_tmpdir=keep_tmpdir, input_array_identifier=input_id,
            output_array_identifier=output_id, parameters=parameters)
    click.echo(f"segmentation written: {output_id.container} dataset {output_id.dataset!r}")


def _arrays(ctx: click.Context, input_container: str, input_dataset: str,
            output_container: str, output_dataset: str) -> Tuple[Any, Any, Any]:
    """The input and output identifiers and the opened input array."""
    from dacapo._array_identifiers import LocalArrayIdentifier
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    require_dataset(ctx, "input_dataset", input_container, input_dataset)
    input_id = LocalArrayIdentifier(input_container, input_dataset)
    output_id = LocalArrayIdentifier(output_container, output_dataset)
    if _same_dataset(input_id, output_id):
        bad_parameter(ctx, "output_dataset", (
            f"{output_dataset!r} in {output_container!r} is the input dataset; the output "
            "would replace it: give another output dataset"))
    return input_id, output_id, ZarrArray.open_from_array_identifier(input_id)


def _same_dataset(first: Any, second: Any) -> bool:
    def place(identifier: Any) -> Tuple[str, str]:
        return (os.path.realpath(str(identifier.container)), str(identifier.dataset).strip("/"))

    return place(first) == place(second)
