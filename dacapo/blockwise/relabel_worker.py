"""Relabel worker: the last step of ``segment_blockwise``.

Loads the lookup table (``lut.npz``: sorted ``old`` ids and their ``new``
ids, only the ids that change) once per worker and rewrites each block of
the output in place. Applying the table twice changes nothing (a new id is
the smallest of its component and maps to itself), so a resumed or retried
block is safe. No context, no conflicts, ``fit = "shrink"``. As a command::

    python -m dacapo.blockwise.relabel_worker start-worker \\
        --output-container out.zarr --output-dataset segmentation --lut /tmp/lut.npz
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import click
import numpy as np

from dacapo.blockwise._faces import apply_lut
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


def load(output_array_identifier: Any, lut: Any) -> Callable[[Any], None]:
    """Opens the output and the table; returns the function relabelling a block."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    output_array = ZarrArray.open_from_array_identifier(output_array_identifier)
    with np.load(lut) as table:
        old, new = table["old"], table["new"]

    def process(block) -> None:
        relabelled = apply_lut(output_array[block.write_roi], old, new)
        if relabelled is not None:
            output_array[block.write_roi] = relabelled

    return process


def spawn_worker(output_array_identifier: Any, lut: Any, compute_context: Any = None):
    """The process function of a relabel worker (see ``worker_process``)."""
    options = {**identifier_options("output", output_array_identifier), "lut": lut}
    return worker_process(__name__, options, partial(load, output_array_identifier, lut),
                          compute_context)


cli = worker_cli()


@cli.command("start-worker")
@array_options("output")
@click.option("--lut", required=True, help="The lookup table (.npz with old and new ids).")
def start_worker(output_container: str, output_dataset: str, lut: str) -> None:
    """Relabel blocks handed out by the scheduler (DAISY_CONTEXT)."""
    run_worker(LazyBlockFunction(partial(
        load, array_identifier(output_container, output_dataset), lut)))


if __name__ == "__main__":
    cli()
