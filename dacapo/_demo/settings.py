"""What a demo run is asked to do: sizes, iterations and workers."""

from __future__ import annotations

from typing import Any, Dict, Optional

import attr

from dacapo._checks import check_int
from dacapo.errors import ConfigError

__all__ = ["DemoSettings", "MIN_CROP_SIZE", "MIN_VOLUME_SIZE"]

#: the smallest crop (voxels per axis) the demo's networks can train on: the
#: cells' training output (28³) and the affinities' reach (1 back, 4 ahead)
#: inside the ground truth (the crop less 8 voxels a side)
MIN_CROP_SIZE = 50
#: the smallest volume (voxels per axis): the networks' input
MIN_VOLUME_SIZE = 48


def _at_least(minimum: int):
    def check(instance, attribute, value):
        check_int("dacapo demo", attribute.name, value, minimum)

    return check


def _interval(instance, attribute, value):
    check_int("dacapo demo", attribute.name, value, 1, allow_none=True)


@attr.s(frozen=True, kw_only=True)
class DemoSettings:
    """The knobs of ``dacapo demo``; the defaults are the full demo.

    A demo made with other settings is not reused: the demo starts over.
    """

    iterations: int = attr.ib(
        default=600, validator=_at_least(1),
        metadata={"help_text": "Training iterations of each run."},
    )
    validation_interval: Optional[int] = attr.ib(
        default=None, validator=_interval,
        metadata={"help_text": "Validate every this many iterations (default: three "
                               "times per run)."},
    )
    crop_size: int = attr.ib(
        default=128, validator=_at_least(MIN_CROP_SIZE),
        metadata={"help_text": "Voxels per axis of each training and validation crop."},
    )
    volume_size: int = attr.ib(
        default=256, validator=_at_least(MIN_VOLUME_SIZE),
        metadata={"help_text": "Voxels per axis of the volume the runs segment."},
    )
    workers: int = attr.ib(
        default=2, validator=_at_least(1),
        metadata={"help_text": "Worker processes of each blockwise step."},
    )

    @property
    def interval(self) -> int:
        """Iterations between validations."""
        if self.validation_interval is not None:
            return min(self.validation_interval, self.iterations)
        return max(1, -(-self.iterations // 3))

    def to_dict(self) -> Dict[str, Any]:
        """The settings as plain data (what ``settings.json`` holds)."""
        return attr.asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Optional["DemoSettings"]:
        """Settings from ``to_dict``'s data; None when ``data`` is not such data."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except (TypeError, ConfigError):
            return None

    def differences(self, other: "DemoSettings") -> str:
        """``"iterations 300 -> 500, ..."``: the settings that differ from ``other``."""
        mine, theirs = self.to_dict(), other.to_dict()
        return ", ".join(
            f"{name} {theirs[name]} -> {mine[name]}" for name in mine if mine[name] != theirs[name]
        )
