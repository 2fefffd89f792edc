"""Base class of array configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class ArrayConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="array_type", abstract=True
):
    """Describes an array; ``array_type(config)`` opens it.

    Subclasses set the class attribute ``array_type`` to their runtime class.
    """

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this array, used to store its config."}
    )
