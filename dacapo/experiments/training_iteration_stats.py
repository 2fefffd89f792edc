"""The statistics of one training iteration."""

from __future__ import annotations

import attr


@attr.s
class TrainingIterationStats:
    """Loss and duration of one training iteration."""

    iteration: int = attr.ib(metadata={"help_text": "The iteration these stats belong to."})
    loss: float = attr.ib(metadata={"help_text": "The loss of this iteration."})
    time: float = attr.ib(metadata={"help_text": "Seconds this iteration took."})
