"""Config of a start: weights taken from another run."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class StartConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="start_type"
):
    """Initialise a run from the checkpoint of another run.

    ``criterion`` is either a validation criterion (the best checkpoint for
    it) or an iteration number written as a string; ``"<dataset>/<criterion>"``
    names the dataset when several have a best checkpoint for the criterion.
    """

    start_type = runtime_type(".start.Start")

    run: str = attr.ib(metadata={"help_text": "Name of the run to take weights from."})
    criterion: str = attr.ib(
        metadata={"help_text": "Validation criterion or iteration that picks the checkpoint."}
    )
