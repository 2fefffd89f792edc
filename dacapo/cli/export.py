"""``dacapo export``: a run's model as a bioimage.io model package (zip)."""

from __future__ import annotations

from typing import Optional, Tuple

import click

from ._common import RUN
from ._errors import bad_parameter
from ._options import option
from ._requirements import require_weights
from ._types import ShapeText

__all__ = ["export"]


@click.command(short_help="Export a run's model as a bioimage.io model package (zip).")
@RUN
@option("-i", "--iteration", required=True, type=click.IntRange(min=0),
        help="Checkpoint (training iteration) to export; 0: the freshly initialised model.")
@option("-o", "--output", required=True, type=click.Path(dir_okay=False),
        help="The package to write, a .zip file (replaced if it exists).")
@option("-a", "--author", "authors", required=True, multiple=True,
        help="An author's name; repeat for several.")
@option("-l", "--license", "license_id", default="MIT",
        help="SPDX identifier of the model's license.")
@option("-c", "--cite", multiple=True, show_default="the DaCapo paper alone",
        help="A DOI or URL to cite besides the DaCapo paper; repeat for several.")
@option("-vs", "--voxel-size", type=ShapeText("world units (nm)"), default=None,
        show_default="that of the run's training data",
        help="Voxel size of the network's input in world units (nm), e.g. [8,8,8].")
@option("--input-test-image", type=click.Path(exists=True, dir_okay=False), default=None,
        show_default="random values in [0, 1) of the training input shape",
        help="A .npy test input (spatial axes, optionally after channel or batch and "
        "channel axes).")
@option("--test/--no-test", default=True,
        help="Run bioimageio.core's model test on the written package.")
@click.pass_context
def export(ctx: click.Context, run_name: str, iteration: int, output: str,
           authors: Tuple[str, ...], license_id: str, cite: Tuple[str, ...],
           voxel_size: Optional[Tuple[int, ...]], input_test_image: Optional[str],
           test: bool) -> None:
    """Export run RUN_NAME at ITERATION as a bioimage.io model package (spec
    0.5): weights, test tensors, axes with voxel sizes and channel names.
    Needs the bioimageio extra (pip install dacapo-ml[bioimageio]).

    \f
    Calls ``dacapo.bioimageio_export.save_bioimage_io_model(run_name, output,
    authors, cite, license, input_test_image, checkpoint=iteration,
    in_voxel_size=voxel_size, test_saved_model=test)``.
    """
    from dacapo.bioimageio_export import save_bioimage_io_model

    if not output.endswith(".zip"):
        bad_parameter(ctx, "output", f"{output!r} is not a .zip file; e.g. -o model.zip")
    require_weights(ctx, run_name, iteration)
    path = save_bioimage_io_model(
        run_name, output, list(authors), cite=list(cite), license=license_id,
        input_test_image_path=input_test_image, checkpoint=iteration,
        in_voxel_size=voxel_size, test_saved_model=test,
    )
    tested = "; it passes bioimageio.core's model test" if test else ""
    click.echo(f"bioimage.io package written: {path}{tested}")
