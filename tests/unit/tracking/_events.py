"""Reading back what the TensorBoard writer wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple


def read_scalars(log_dir: Path) -> Dict[str, List[Tuple[int, float]]]:
    """tag -> [(step, value)] of every scalar TensorBoard shows for ``log_dir``
    (events purged by a later session's restart left out)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    accumulator.Reload()
    return {
        tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }
