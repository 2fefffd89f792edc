"""``dacapo demo``: train, validate and apply two runs on synthetic EM-like data."""

from __future__ import annotations

from typing import Optional

import click

from ._options import option

__all__ = ["demo"]


@click.command(short_help="Train two runs on synthetic EM data and segment a volume.")
@option("--fresh", is_flag=True, default=False,
              help="Delete the demo's runs and data first and start over.")
@option("--iterations", type=click.IntRange(min=1), default=600,
        help="Training iterations of each run.")
@option("--validation-interval", type=click.IntRange(min=1), default=None,
        show_default="three validations per run", help="Validate every this many iterations.")
@option("--crop-size", type=click.IntRange(min=50), default=128,
        help="Voxels per axis of each training and validation crop.")
@option("--volume-size", type=click.IntRange(min=48), default=256,
        help="Voxels per axis of the volume the runs segment.")
@option("--workers", type=click.IntRange(min=1), default=2,
        help="Worker processes of each blockwise step (1: in this process).")
def demo(fresh: bool, iterations: int, validation_interval: Optional[int], crop_size: int,
         volume_size: int, workers: int) -> None:
    """Show DaCapo working end to end on synthetic EM-like data.

    Writes training and validation crops and a larger volume, trains a
    distance run (mitochondria) and an affinities run (cells, mutex
    watershed) with validation, applies each run's best checkpoint and
    parameters blockwise to the volume, and prints the validation scores,
    the scores on the volume and where everything went (under the options'
    runs_base_dir, in demo/). Running it again reuses what is done.

    \f
    Calls ``dacapo._demo.run_demo`` and echoes ``format_report``.
    """
    from dacapo._demo import DemoSettings, format_report, run_demo

    settings = DemoSettings(iterations=iterations, validation_interval=validation_interval,
                            crop_size=crop_size, volume_size=volume_size, workers=workers)
    click.echo(format_report(run_demo(settings, fresh=fresh)))
