"""Threshold worker: writes ``input > threshold`` as uint8, block by block.

``spawn_worker(input_array_identifier, output_array_identifier,
threshold=0.0, compute_context=None)``; the output dataset must exist, with
the input's geometry (and channels, if any). Blocks need no context
(``read_roi == write_roi``) and do not conflict; ``fit = "shrink"`` clips the
blocks at the end of the ROI, so every voxel is written whatever the ROI's
size (``"valid"`` would leave a partial last block unwritten). As a command::

    python -m dacapo.blockwise.threshold_worker start-worker \\
        --input-container in.zarr --input-dataset pred \\
        --output-container out.zarr --output-dataset mask [--threshold 0.5]
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import click
import numpy as np

from dacapo.blockwise.worker import (
    LazyBlockFunction,
    array_identifier,
    array_options,
    identifier_options,
    run_worker,
    worker_cli,
    worker_process,
)

read_write_conflict: bool = False
fit: str = "shrink"


def load(input_array_identifier: Any, output_array_identifier: Any,
         threshold: float) -> Callable[[Any], None]:
    """Opens the arrays; returns the function thresholding one block."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    input_array = ZarrArray.open_from_array_identifier(input_array_identifier)
    output_array = ZarrArray.open_from_array_identifier(output_array_identifier)

    def process(block) -> None:
        output_array[block.write_roi] = (input_array[block.write_roi] > threshold).astype(
            np.uint8
        )

    return process


def spawn_worker(input_array_identifier: Any, output_array_identifier: Any,
                 threshold: float = 0.0, compute_context: Any = None):
    """The process function of a threshold worker (see ``worker_process``)."""
    options = {**identifier_options("input", input_array_identifier),
               **identifier_options("output", output_array_identifier),
               "threshold": float(threshold)}
    return worker_process(
        __name__, options,
        partial(load, input_array_identifier, output_array_identifier, float(threshold)),
        compute_context,
    )


cli = worker_cli()


@cli.command("start-worker")
@array_options("input", "output")
@click.option("-th", "--threshold", type=float, default=0.0, show_default=True,
              help="Voxels above this value become 1, the others 0.")
def start_worker(input_container: str, input_dataset: str, output_container: str,
                 output_dataset: str, threshold: float) -> None:
    """Threshold blocks handed out by the scheduler (DAISY_CONTEXT)."""
    run_worker(LazyBlockFunction(partial(
        load, array_identifier(input_container, input_dataset),
        array_identifier(output_container, output_dataset), threshold,
    )))


if __name__ == "__main__":
    cli()
