"""``dacapo train``: train a stored run, resuming from its latest checkpoint."""

from __future__ import annotations

import click

from ._errors import INTERRUPTED
from ._options import option
from ._types import RUN_NAME

__all__ = ["train"]


@click.command(short_help="Train a stored run (resumes from its latest checkpoint).")
@option("-r", "--run-name", required=True, type=RUN_NAME,
        help="Name of the run in the config store.")
@click.option("--validation/--no-validation", "do_validate", default=True, show_default=True,
              help="Validate after each checkpoint (every validation_interval iterations).")
@click.pass_context
def train(ctx: click.Context, run_name: str, do_validate: bool) -> None:
    """Train the run RUN_NAME up to its num_iterations, resuming from its latest
    checkpoint. Ctrl-C finishes the current iteration, saves the training
    stats and a checkpoint, and exits with status 130.

    \f
    Calls ``dacapo.train.train(run_name, do_validate=...)``.
    """
    from dacapo.train import train as train_function

    try:
        train_function(run_name, do_validate=do_validate)
    except KeyboardInterrupt:
        click.echo(f"Interrupted: {_saved(run_name)}", err=True)
        ctx.exit(INTERRUPTED)


def _saved(run_name: str) -> str:
    """Where an interrupted training left its run, in one line."""
    from dacapo.store.create_store import create_stats_store, create_weights_store

    weights_store = create_weights_store()
    iteration = weights_store.latest_iteration(run_name)
    if iteration is None:
        return (f"run {run_name!r} has no checkpoint yet (interrupted before its first "
                "iteration finished); nothing was saved")
    return (f"run {run_name!r} is saved at iteration {iteration} (checkpoint in "
            f"{weights_store!r}, training stats in {create_stats_store()!r}); run "
            f"'dacapo train -r {run_name}' again to resume")
