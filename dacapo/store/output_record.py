"""What a run wrote outside its own folder: predictions and post-processed
outputs of ``predict`` and ``apply``, so ``dacapo view`` can find them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

import attrs

from dacapo.errors import StoreError

__all__ = ["OutputRecord", "OUTPUT_KINDS"]

#: ``prediction``: network outputs (``predict``); ``output``: post-processed ones (``apply``)
OUTPUT_KINDS = ("prediction", "output")


@attrs.frozen
class OutputRecord:
    """One array a run wrote.

    Attributes:
        kind: One of ``OUTPUT_KINDS``.
        container: The zarr or N5 container, as given (a path or URL).
        dataset: The dataset inside it.
        iteration: The weights' iteration.
        input: ``container/dataset`` of what was predicted or post-processed.
        parameters: The post-processing parameters (``output`` only).
        written: When it was written, ISO 8601 in UTC.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(OUTPUT_KINDS))
    container: str
    dataset: str
    iteration: int
    input: str
    parameters: Optional[str] = None
    written: str = attrs.field(
        factory=lambda: datetime.now(timezone.utc).isoformat(timespec="microseconds"))

    @property
    def path(self) -> str:
        """``container/dataset``: what ``dacapo view --prediction`` takes."""
        return f"{self.container.rstrip('/')}/{self.dataset.strip('/')}"

    def to_dict(self) -> Dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "OutputRecord":
        """The record stored as ``data`` (read from ``where``); ``StoreError``
        naming the file when it is not one."""
        try:
            return cls(**data)
        except (TypeError, ValueError) as error:
            raise StoreError(
                f"{where}: not a record of a run's output ({error}); it was damaged or "
                "written by something else: delete it (the output itself is untouched)"
            ) from None
