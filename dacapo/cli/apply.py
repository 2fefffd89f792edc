"""``dacapo apply``: predict a volume with a trained run, then post-process it."""

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
from ._requirements import require_criterion, require_dataset, require_parameters, require_weights
from ._types import ROI_WORLD, Bounds

__all__ = ["apply"]

_BEST = "the best validation recorded for -vd and -c"


@click.command(short_help="Predict and post-process a volume with a trained run.")
@RUN
@INPUT_CONTAINER
@INPUT_DATASET
@OUTPUT_PATH
@option("-vd", "--validation-dataset", default=None, show_default="none",
        help="Validation dataset whose best iteration and parameters (for -c) to use.")
@option("-c", "--criterion", default="voi",
        help="Criterion that picks the best iteration and parameters (e.g. cell__voi).")
@option("-i", "--iteration", type=click.IntRange(min=0), default=None, show_default=_BEST,
        help="Checkpoint (training iteration) to predict with.")
@option("-p", "--parameters", default=None, show_default=_BEST,
        help="Post-processing parameters, e.g. "
        "'ThresholdPostProcessorParameters(threshold=0.5)'.")
@option("-roi", "--roi", type=ROI_WORLD, default=None,
        show_default="the input's ROI shrunk by the network's context",
        help="Region to process, in world units (e.g. nm), begin:end per axis.")
@num_workers(12)
@OUTPUT_DTYPE
@OVERWRITE
@option("--file-format", type=click.Choice(["zarr", "n5"]), default="zarr",
        help="Format of the output container <output path>/<input stem>.<format>.")
@click.pass_context
def apply(ctx: click.Context, run_name: str, input_container: str, input_dataset: str,
          output_path: str, validation_dataset: Optional[str], criterion: str,
          iteration: Optional[int], parameters: Optional[str], roi: Optional[Bounds],
          num_workers: int, output_dtype: str, overwrite: bool, file_format: str) -> None:
    """Predict INPUT_DATASET of INPUT_CONTAINER with run RUN_NAME, then
    post-process the prediction, both block by block. The iteration and the
    parameters are given, or the best ones validation recorded.

    \f
    Calls ``dacapo.apply.apply`` with every option as the keyword argument of
    the same name.
    """
    from dacapo.apply import apply as apply_function

    _check_choices(ctx, run_name, validation_dataset, criterion, iteration, parameters)
    require_dataset(ctx, "input_dataset", input_container, input_dataset)
    output = apply_function(
        run_name, input_container, input_dataset, output_path,
        validation_dataset=validation_dataset, criterion=criterion, iteration=iteration,
        parameters=parameters, roi=roi_of(roi), num_workers=num_workers,
        output_dtype=output_dtype, overwrite=overwrite, file_format=file_format,
    )
    click.echo(f"output written: {output.container} dataset {output.dataset!r}")


def _check_choices(ctx: click.Context, run_name: str, validation_dataset: Optional[str],
                   criterion: str, iteration: Optional[int], parameters: Optional[str]) -> None:
    """The iteration and parameters are given, or there is a validation
    dataset and a criterion of the run to find the best ones."""
    missing = [name for name, value in (("-i/--iteration", iteration),
                                        ("-p/--parameters", parameters)) if value is None]
    if missing and validation_dataset is None:
        raise click.UsageError(
            f"give {' and '.join(missing)}, or -vd/--validation-dataset (with -c/--criterion) "
            "to use the best that validation recorded", ctx=ctx,
        )
    if iteration is not None:
        require_weights(ctx, run_name, iteration)
    require_parameters(ctx, parameters)
    if missing:
        require_criterion(ctx, run_name, criterion)
