"""Noting in a run's array store the arrays ``predict`` and ``apply`` wrote
for it, so that ``dacapo view RUN`` shows them without being told where."""

from __future__ import annotations

import logging
from typing import Any, Optional

from dacapo._paths import absolute
from dacapo.errors import DacapoError
from dacapo.store.output_record import OutputRecord

logger = logging.getLogger(__name__)

__all__ = ["record_run_output"]


def record_run_output(run_name: str, kind: str, identifier: Any, iteration: int,
                      input_identifier: Any, parameters: Optional[Any] = None) -> None:
    """Records that run ``run_name`` wrote ``identifier`` (a
    ``LocalArrayIdentifier``) from ``input_identifier``. The output is there
    either way, so a store that cannot take the record only logs a warning."""
    from dacapo.store.create_store import create_array_store

    record = OutputRecord(
        kind, absolute(identifier.container), str(identifier.dataset).strip("/"),
        int(iteration), f"{absolute(input_identifier.container)}/{input_identifier.dataset}",
        None if parameters is None else str(parameters),
    )
    try:
        create_array_store().record_output(run_name, record)
    except (OSError, DacapoError) as error:
        logger.warning("run %r: %s was written but could not be recorded for 'dacapo view' "
                       "(%s); pass it with --prediction to see it", run_name, record.path, error)
