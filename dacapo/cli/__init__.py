"""The ``dacapo`` command line (click): ``train``, ``validate``, ``predict``,
``apply``, ``run-blockwise``, ``segment-blockwise`` and ``config``.

Each command parses its options and calls the Python function of the same
name (``dacapo.train.train``, ``dacapo.predict.predict``, ...) with each
option as the parameter of the same name. Long options are spelled with
hyphens (``--run-name``); upstream DaCapo's underscores (``--run_name``) are
accepted too. Importing this package (and ``--help``) loads neither torch,
gunpowder, daisy, zarr nor funlib: commands import what they run.

Bad input ends a command with one line on stderr and exit code 2, other
failures with exit code 1, Ctrl-C with 130 (see ``dacapo.cli._errors``).
"""

from ._group import cli, main
from .apply import apply
from .blockwise import run_blockwise, segment_blockwise
from .config import config
from .predict import predict
from .train import train
from .validate import validate

__all__ = ["cli", "main"]

for _command in (config, train, validate, predict, apply, run_blockwise, segment_blockwise):
    cli.add_command(_command)

from .plot import plot  # noqa: E402

cli.add_command(plot)

from .view import view  # noqa: E402

cli.add_command(view)

from .export import export  # noqa: E402

cli.add_command(export)

from .demo import demo  # noqa: E402

cli.add_command(demo)
