"""Argmax worker: writes the index of the largest channel, block by block.

``spawn_worker(input_array_identifier, output_array_identifier,
compute_context=None)``; the input has a leading channel axis, and the
output dataset must exist with the input's spatial geometry and no channel
axis (its dtype is kept; uint8 holds 256 classes). Like the threshold worker:
no context, no conflicts, ``fit = "shrink"`` so every voxel is written. As a
command::

    python -m dacapo.blockwise.argmax_worker start-worker \\
        --input-container in.zarr --input-dataset pred \\
        --output-container out.zarr --output-dataset classes
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

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


def load(input_array_identifier: Any, output_array_identifier: Any) -> Callable[[Any], None]:
    """Opens the arrays; returns the function writing one block's argmax."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    input_array = ZarrArray.open_from_array_identifier(input_array_identifier)
    output_array = ZarrArray.open_from_array_identifier(output_array_identifier)
    dtype = output_array.dtype

    def process(block) -> None:
        output_array[block.write_roi] = np.argmax(input_array[block.write_roi], axis=0).astype(
            dtype
        )

    return process


def spawn_worker(input_array_identifier: Any, output_array_identifier: Any,
                 compute_context: Any = None):
    """The process function of an argmax worker (see ``worker_process``)."""
    options = {**identifier_options("input", input_array_identifier),
               **identifier_options("output", output_array_identifier)}
    return worker_process(
        __name__, options, partial(load, input_array_identifier, output_array_identifier),
        compute_context,
    )


cli = worker_cli()


@cli.command("start-worker")
@array_options("input", "output")
def start_worker(input_container: str, input_dataset: str, output_container: str,
                 output_dataset: str) -> None:
    """Argmax of blocks handed out by the scheduler (DAISY_CONTEXT)."""
    run_worker(LazyBlockFunction(partial(
        load, array_identifier(input_container, input_dataset),
        array_identifier(output_container, output_dataset),
    )))


if __name__ == "__main__":
    cli()
