"""The ``dacapo`` click group: global options, logging, and failures reported
as one line with an exit code (see ``dacapo.cli._errors``)."""

from __future__ import annotations

import logging
import sys
from typing import Any, List, Optional, Sequence

import attr
import click

from . import _errors

__all__ = ["DacapoGroup", "cli", "main"]

LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


@attr.s(auto_attribs=True)
class State:
    """What one invocation's commands share (``ctx.obj``)."""

    debug: bool = False


class DacapoGroup(click.Group):
    """A group whose standalone ``main`` prints failures as one line, and
    whose help lists the commands in the order they were added."""

    def list_commands(self, ctx: click.Context) -> List[str]:
        return list(self.commands)

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        state = extra.setdefault("obj", State())
        dacapo_logger = logging.getLogger("dacapo")
        level = dacapo_logger.level
        try:
            code = super().main(args, prog_name or "dacapo", complete_var, False, **extra)
        except (Exception, KeyboardInterrupt) as error:  # click's errors and any failure
            code = _errors.report(error, getattr(state, "debug", False))
        finally:
            dacapo_logger.setLevel(level)  # tests run many commands in one process
        sys.exit(code if isinstance(code, int) else 0)


def _configure_logging(ctx: click.Context, log_level: str) -> None:
    level = getattr(logging, log_level.upper())
    # other libraries' INFO (gunpowder, numexpr) is noise; their DEBUG is wanted with ours
    others = level if level <= logging.DEBUG else max(level, logging.WARNING)
    logging.basicConfig(level=others, format=_LOG_FORMAT)  # only where nothing logs yet
    logging.getLogger("dacapo").setLevel(level)
    if isinstance(ctx.obj, State):
        ctx.obj.debug = level <= logging.DEBUG


@click.group(cls=DacapoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
              default="INFO", show_default=True, metavar="[" + "|".join(LOG_LEVELS) + "]",
              help="Level of the messages logged to stderr; DEBUG also shows tracebacks.")
@click.version_option(package_name="dacapo-ml", prog_name="dacapo",
                      message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, log_level: str) -> None:
    """DaCapo: train and apply deep-learning models on large 3D microscopy volumes.

    Options are read from dacapo.yaml (see 'dacapo config'); run 'dacapo
    COMMAND --help' for a command's options.
    """
    _configure_logging(ctx, log_level)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """The ``dacapo`` console script: runs ``cli`` and exits with its code."""
    cli.main(args=argv, prog_name="dacapo")
