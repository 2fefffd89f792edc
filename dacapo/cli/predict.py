"""``dacapo predict``: blockwise prediction of a volume with a trained run."""

from __future__ import annotations

from typing import Optional

import click

from ._common import (
    INPUT_CONTAINER,
    INPUT_DATASET,
    OUTPUT_DTYPE,
    OUTPUT_PATH,
    OVERWRITE,
    RUN,
    num_workers,
    roi_of,
)
from ._options import option
from ._requirements import require_dataset, require_weights
from ._types import ROI_WORLD, Bounds

__all__ = ["predict"]


@click.command(short_help="Predict a volume blockwise with a trained run.")
@RUN
@option("-i", "--iteration", required=True, type=click.IntRange(min=0),
        help="Checkpoint (training iteration) to predict with; 0: the freshly initialised "
        "model.")
@INPUT_CONTAINER
@INPUT_DATASET
@OUTPUT_PATH
@option("-roi", "--output-roi", type=ROI_WORLD, default=None,
        show_default="the input's ROI shrunk by the network's context",
        help="Region to predict, in world units (e.g. nm), begin:end per axis; snapped "
        "outward to the output voxels.")
@num_workers(1)
@OUTPUT_DTYPE
@OVERWRITE
@option("--skip-empty", is_flag=True, default=False,
        help="Write 0 for blocks whose input is constant (e.g. beyond the data) instead of "
        "predicting them.")
@option("--half", is_flag=True, default=False,
        help="Predict in half precision (float16 on CUDA, bfloat16 on CPU).")
@option("--blocks-per-pass", type=click.IntRange(min=1), default=4,
        help="Network windows per forward pass (halved on CUDA out-of-memory).")
@option("-t", "--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
        show_default="600 s, daisy's",
        help="Seconds one block may take before its worker is stopped and the block retried.")
@click.pass_context
def predict(ctx: click.Context, run_name: str, iteration: int, input_container: str,
            input_dataset: str, output_path: str, output_roi: Optional[Bounds],
            num_workers: int, output_dtype: str, overwrite: bool, skip_empty: bool,
            half: bool, blocks_per_pass: int, timeout: Optional[float]) -> None:
    """Predict INPUT_DATASET of INPUT_CONTAINER with run RUN_NAME at ITERATION,
    block by block, into the dataset prediction_<run>_<iteration> of the
    output container.

    \f
    Calls ``dacapo.predict.predict`` with every option as the keyword
    argument of the same name.
    """
    from dacapo.predict import predict as predict_function

    require_weights(ctx, run_name, iteration)
    require_dataset(ctx, "input_dataset", input_container, input_dataset)
    output = predict_function(
        run_name, iteration, input_container, input_dataset, output_path,
        output_roi=roi_of(output_roi), num_workers=num_workers, output_dtype=output_dtype,
        overwrite=overwrite, skip_empty=skip_empty, half=half,
        blocks_per_pass=blocks_per_pass, timeout=timeout,
    )
    click.echo(f"prediction written: {_where(output)}")


def _where(array) -> str:
    """Container, dataset, ROI and dtype of the output (a ``ZarrArray``)."""
    return (f"{getattr(array, 'file_name', '?')} dataset {getattr(array, 'dataset', '?')!r} "
            f"(ROI {array.roi}, {array.dtype})")
