"""How the ``dacapo`` command reports failures: one line on stderr and an exit
code, never a traceback (unless ``--log-level DEBUG``).

=====================================================  =========
failure                                                exit code
=====================================================  =========
bad command line (click usage errors, early checks)    2
bad input found later: ``ConfigError``, ``RoiError``,   2
``ArrayNotFoundError``, ``NoSuchCheckpointError``,
``NoSuchNameError``
any other ``DacapoError`` (``BlockwiseError``,          1
``CommandError``, ``StoreError``): its whole message
anything else (a bug): its type and message            1
Ctrl-C                                                 130
=====================================================  =========
"""

from __future__ import annotations

import re
import sys
import traceback
from typing import NoReturn

import click

from dacapo.errors import (
    ArrayNotFoundError,
    ConfigError,
    DacapoError,
    NoSuchCheckpointError,
    NoSuchNameError,
    RoiError,
)

__all__ = ["INPUT_ERRORS", "INTERRUPTED", "bad_parameter", "exit_code", "message", "report"]

#: ``DacapoError`` s that mean the input was wrong (exit code 2)
INPUT_ERRORS = (ConfigError, RoiError, ArrayNotFoundError, NoSuchCheckpointError,
                NoSuchNameError)
#: click >= 8.2 raises this for a group called without a command
_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())
#: exit code after Ctrl-C (128 + SIGINT), as shells report it
INTERRUPTED = 130


def bad_parameter(ctx: click.Context, name: str, text: str) -> NoReturn:
    """Raises click's ``BadParameter`` for the option called ``name`` (its
    spellings head the message)."""
    param = next((p for p in ctx.command.params if p.name == name), None)
    raise click.BadParameter(text, ctx=ctx, param=param,
                             param_hint=None if param is not None else f"'{name}'")


def exit_code(error: BaseException) -> int:
    """The exit code ``error`` ends the command with (see the module doc)."""
    if isinstance(error, click.ClickException):
        return error.exit_code
    if isinstance(error, INPUT_ERRORS):
        return 2
    if isinstance(error, KeyboardInterrupt) or (
        isinstance(error, click.Abort) and isinstance(error.__context__, KeyboardInterrupt)
    ):
        return INTERRUPTED
    return 1


def message(error: BaseException) -> str:
    """What is printed after ``Error: ``: one line, but for a ``DacapoError``
    that is not an input error, whose whole message (a failed block's
    traceback, a command's stderr) is printed."""
    if isinstance(error, click.UsageError):
        text = _usage_message(error)
    elif isinstance(error, click.ClickException):
        text = error.format_message()
    elif isinstance(error, (click.Abort, KeyboardInterrupt)):
        return "interrupted" if exit_code(error) == INTERRUPTED else "aborted"
    elif isinstance(error, DacapoError) and not isinstance(error, INPUT_ERRORS):
        return str(error)
    elif isinstance(error, DacapoError):
        text = str(error)
    else:
        text = f"unexpected {type(error).__name__}: {error}"
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _usage_message(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption) and error.possibilities:
        shown = [p for p in error.possibilities if "_" not in p.lstrip("-")]
        error = click.NoSuchOption(error.option_name, possibilities=shown, ctx=error.ctx)
    text = error.format_message()
    named = isinstance(error, click.BadParameter) and not isinstance(error, click.MissingParameter)
    if not named and error.ctx is not None:
        text += f" (see '{error.ctx.command_path} --help')"
    return text


def report(error: BaseException, debug: bool) -> int:
    """Prints ``error`` (with its traceback when ``debug``) and returns the exit code."""
    code = exit_code(error)
    if isinstance(error, _NO_ARGS):  # ``dacapo`` alone: the help, as click shows it
        error.show()
        return code
    if debug and not isinstance(error, (click.UsageError, click.Abort)):
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    hint = ""
    if code == 1 and not debug and not isinstance(
        error, (DacapoError, click.ClickException, click.Abort)
    ):
        hint = " (run with --log-level DEBUG for the traceback)"
    click.echo(f"Error: {message(error)}{hint}", err=True)
    return code
