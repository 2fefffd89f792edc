"""``make demo``: ``python -m dacapo.demo`` runs ``dacapo demo``.

The demo writes synthetic EM-like data, trains a distance run (mitochondria)
and an affinities run (cells) with validation, applies both blockwise to a
256³ volume, scores the outputs against the volume's ground truth, plots the
runs and prints the scores and where everything went (see
``dacapo._demo``). It takes the options of ``dacapo demo`` (``--fresh``,
``--iterations``, ...; ``--help`` lists them) and logs at INFO to stderr.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Runs ``dacapo demo`` with ``argv`` (default: the command line) and exits
    with its exit code."""
    from dacapo.cli import cli

    arguments = list(sys.argv[1:] if argv is None else argv)
    cli.main(args=["demo", *arguments], prog_name="dacapo")


if __name__ == "__main__":
    main()
