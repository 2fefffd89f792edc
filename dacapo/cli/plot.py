"""``dacapo plot``: a PNG of runs' training loss and validation scores."""

from __future__ import annotations

from typing import Optional, Tuple

import click

from ._options import option
from ._types import RUN_NAME

__all__ = ["plot"]


@click.command(short_help="Plot runs' training loss and validation scores to a PNG.")
@option("-r", "--run-name", "run_names", required=True, multiple=True, type=RUN_NAME,
        help="A run to plot; repeat for several runs (one colour each).")
@option("-o", "--output", type=click.Path(dir_okay=False), default="runs.png",
        help="Image to write: .png, .svg or .pdf.")
@option("-c", "--criterion", "criteria", multiple=True,
        show_default="every criterion the runs were validated with",
        help="A validation criterion to draw (e.g. cell__f1_score); repeat for several.")
@option("-s", "--smooth", type=click.IntRange(min=1), default=100,
        help="Largest moving-mean window of the loss, in iterations.")
def plot(run_names: Tuple[str, ...], output: str, criteria: Tuple[str, ...],
         smooth: int) -> None:
    """Draw the smoothed training loss and every validation criterion over
    iterations, one line per run, with each run's best iteration marked.

    \f
    Calls ``dacapo.plot.plot_runs(run_names, smooth, validation_scores, output=output)``.
    """
    from dacapo.plot import plot_runs

    validation_scores: Optional[list] = [list(criteria)] * len(run_names) if criteria else None
    plot_runs(list(run_names), smooth=smooth, validation_scores=validation_scores,
              output=output)
    click.echo(f"plot written: {output}")
