"""Options several commands share, and turning option values into ROIs."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import click

from ._options import option
from ._types import CONTAINER, RUN_NAME, Bounds

__all__ = ["RUN", "INPUT_CONTAINER", "INPUT_DATASET", "OUTPUT_PATH", "OUTPUT_DTYPE",
           "OVERWRITE", "num_workers", "roi_of"]

RUN = option("-r", "--run-name", required=True, type=RUN_NAME,
             help="Name of the run in the config store.")
INPUT_CONTAINER = option("-ic", "--input-container", required=True, type=CONTAINER,
                         help="Zarr or N5 container holding the input.")
INPUT_DATASET = option("-id", "--input-dataset", required=True,
                       help="Dataset of the input inside the container (e.g. raw or s0).")
OUTPUT_PATH = option(
    "-op", "--output-path", required=True, type=click.Path(file_okay=False),
    help="Output container (a path ending in .zarr or .n5), or a directory in which "
    "<input container stem>.zarr is made.",
)
OUTPUT_DTYPE = option(
    "-dt", "--output-dtype", type=click.Choice(["uint8", "float32"]), default="uint8",
    help="dtype of the prediction: uint8 scales the model's output range to 0..255, float32 "
    "keeps its values.",
)
OVERWRITE = option(
    "--overwrite/--no-overwrite", "-ow", default=True,
    help="Replace existing outputs; --no-overwrite keeps an output of the same geometry and "
    "resumes, skipping the blocks an earlier run finished.",
)


def num_workers(default: int) -> Any:
    """The ``-w/--num-workers`` option with ``default``."""
    return option("-w", "--num-workers", type=click.IntRange(min=1), default=default,
                  help="Worker processes (more than one only where the compute context "
                  "distributes workers).")


def roi_of(bounds: Optional[Bounds], voxel_size: Optional[Sequence[int]] = None) -> Any:
    """The ``funlib`` ``Roi`` of a ROI option's bounds (None stays None); with
    ``voxel_size`` the bounds are voxels, else world units."""
    if bounds is None:
        return None
    from funlib.geometry import Coordinate, Roi

    begin = Coordinate(b for b, _ in bounds)
    roi = Roi(begin, Coordinate(e for _, e in bounds) - begin)
    return roi if voxel_size is None else roi * Coordinate(voxel_size)
