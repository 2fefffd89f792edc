"""``dacapo validate``: score a run's checkpoint on its validation datasets."""

from __future__ import annotations

import logging
from typing import Any

import click

from ._options import option
from ._requirements import require_weights
from ._types import RUN_NAME

__all__ = ["validate"]

logger = logging.getLogger(__name__)


def _no_effect(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Upstream DaCapo's validate options never reached validation: warn when given."""
    source = ctx.get_parameter_source(param.name or "")
    if source is not None and source.name != "DEFAULT":
        logger.warning(
            "dacapo validate: %s has no effect (validation predicts each validation crop in "
            "memory); it is accepted so that older scripts still run",
            "/".join(o for o in param.opts if "_" not in o),
        )
    return value


@click.command(short_help="Score a run's checkpoint on its validation datasets.")
@option("-r", "--run-name", required=True, type=RUN_NAME,
        help="Name of the run in the config store.")
@option("-i", "--iteration", required=True, type=click.IntRange(min=0),
        help="Checkpoint (training iteration) to validate; 0: the freshly initialised model.")
@option("-w", "--num-workers", type=int, default=None, hidden=True, callback=_no_effect,
        expose_value=False)
@option("-dt", "--output-dtype", default=None, hidden=True, callback=_no_effect,
        expose_value=False)
@option("-ow", "--overwrite", is_flag=True, hidden=True, callback=_no_effect,
        expose_value=False)
@click.pass_context
def validate(ctx: click.Context, run_name: str, iteration: int) -> None:
    """Validate run RUN_NAME with its weights of ITERATION: predict, post-process
    with every parameter set and score each validation dataset; the scores are
    stored with the run and the best outputs kept.

    \f
    Calls ``dacapo.validate.validate(run_name, iteration)``. ``-w``, ``-dt``
    and ``-ow`` (upstream DaCapo's options, which never reached validation)
    are accepted, hidden, with a warning.
    """
    from dacapo.store.create_store import create_stats_store
    from dacapo.validate import validate as validate_function

    require_weights(ctx, run_name, iteration)
    validate_function(run_name, iteration)
    click.echo(f"validated run {run_name!r} at iteration {iteration}; scores stored in "
               f"{create_stats_store()!r}")
