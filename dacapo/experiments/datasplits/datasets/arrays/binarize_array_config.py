"""Config of a per-group binarisation of a label array."""

from __future__ import annotations

from typing import Any, List, Tuple

import attr

from dacapo._build import runtime_type
from dacapo.errors import ConfigError

from .array_config import ArrayConfig


def to_groupings(value: Any) -> Any:
    """``[[name, ids], ...]`` -> ``[(name, [ids]), ...]``, so stored copies compare equal."""
    if not isinstance(value, (list, tuple)):
        return value
    return [
        (group[0], list(group[1]))
        if isinstance(group, (list, tuple)) and len(group) == 2
        and isinstance(group[1], (list, tuple))
        else group
        for group in value
    ]


def validate_groupings(owner: str, groupings: Any) -> None:
    """Raises ``ConfigError`` unless ``groupings`` is a non-empty list of
    ``(unique name, list of int ids)`` pairs; ``owner`` prefixes the message."""
    example = 'e.g. [("mito", [3, 4]), ("any", [])]'
    if not isinstance(groupings, list) or not groupings:
        raise ConfigError(
            f"{owner}: `groupings` must be a non-empty list of (name, ids) pairs, got "
            f"{groupings!r}; {example}"
        )
    for group in groupings:
        ok = isinstance(group, tuple) and len(group) == 2 and isinstance(group[0], str)
        ok = ok and isinstance(group[1], list)
        ok = ok and all(isinstance(i, int) and not isinstance(i, bool) for i in group[1])
        if not ok:
            raise ConfigError(
                f"{owner}: grouping {group!r} is not a (name, list of int ids) pair; {example}"
            )
    names = [name for name, _ in groupings]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(
            f"{owner}: group names must be unique (they name the output channels), "
            f"{duplicates} appear more than once"
        )


@attr.s
class BinarizeArrayConfig(ArrayConfig):
    """One uint8 channel per group of label ids: 1 where the label is in the group."""

    array_type = runtime_type(".binarize_array.BinarizeArray")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "An integer label array without a channel axis."}
    )
    groupings: List[Tuple[str, List[int]]] = attr.ib(
        converter=to_groupings,
        metadata={
            "help_text": "(channel name, label ids) pairs, one output channel each, in "
            "order. An empty id list means every id except `background`."
        },
    )
    background: int = attr.ib(
        default=0,
        metadata={"help_text": "The id that an empty id list does not count."},
    )

    @groupings.validator
    def _check_groupings(self, attribute, value):
        validate_groupings(f"BinarizeArrayConfig {self.name!r}", value)

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
