"""A progress bar per blockwise task and the summary line at its end."""

from __future__ import annotations

import time
from typing import Any, Dict, Optional

from tqdm import tqdm


class BlockwiseProgress:
    """daisy progress observer: one tqdm bar per task, counting blocks done
    (including those skipped because a previous run finished them), with the
    skipped and failed counts beside it.

    The bars show only on a terminal unless ``disable=False``; ``seconds``
    holds each task's wall time once it finished.
    """

    def __init__(self, disable: Optional[bool] = None, file: Any = None):
        self.disable = disable
        self.file = file
        self.bars: Dict[str, tqdm] = {}
        self.started: Dict[str, float] = {}
        self.seconds: Dict[str, float] = {}
        self.failed_attempts: Dict[str, int] = {}

    def _bar(self, task_id: str, state) -> tqdm:
        if task_id not in self.bars:
            self.started[task_id] = time.perf_counter()
            self.bars[task_id] = tqdm(
                total=int(state.total_block_count), desc=task_id, unit="block",
                dynamic_ncols=True, leave=True, disable=self.disable, file=self.file,
            )
        return self.bars[task_id]

    def _update(self, task_id: str, state) -> None:
        bar = self._bar(task_id, state)
        done = int(state.completed_count)
        if done > bar.n:
            bar.update(done - bar.n)
        bar.set_postfix(skipped=int(state.skipped_count), failed=int(state.failed_count),
                        refresh=False)

    def start_serial(self, task_id: str, total: int, done: int) -> None:
        """Opens the bar of a task run in this process (daisy calls no observer
        then): ``done`` blocks are already finished."""
        self.started[task_id] = time.perf_counter()
        self.bars[task_id] = tqdm(
            total=total, initial=done, desc=task_id, unit="block", dynamic_ncols=True,
            leave=True, disable=self.disable, file=self.file,
        )
        self.failed_attempts[task_id] = 0

    def advance(self, task_id: str, failed: bool = False) -> None:
        """One block of a task run in this process was attempted."""
        bar = self.bars.get(task_id)
        if bar is None:
            return
        if failed:
            self.failed_attempts[task_id] += 1
            bar.set_postfix(failed_attempts=self.failed_attempts[task_id], refresh=False)
        else:
            bar.update(1)

    def on_start(self, states) -> None:
        for task_id, state in states.items():
            self._bar(task_id, state)

    def on_progress(self, states) -> None:
        for task_id, state in states.items():
            self._update(task_id, state)

    def on_finish(self, states) -> None:
        for task_id, state in states.items():
            self._update(task_id, state)
            if task_id in self.seconds:
                continue
            self.bars[task_id].close()
            self.seconds[task_id] = time.perf_counter() - self.started[task_id]


def summary_line(task_id: str, state, seconds: float, voxels_per_block: Optional[float],
                 retries: Optional[int]) -> str:
    """``"task t: 64 blocks (60 processed, 4 skipped, 0 failed) in 3.1 s,
    19.4 blocks/s, 5.1e+06 voxels/s, 2 retries"``."""
    total, done = int(state.total_block_count), int(state.completed_count)
    skipped, failed = int(state.skipped_count), int(state.failed_count)
    processed = done - skipped
    rate = processed / seconds if seconds > 0 else float("nan")
    parts = [f"task {task_id}: {total} blocks ({processed} processed, {skipped} skipped, "
             f"{failed} failed", ]
    orphaned = int(state.orphaned_count)
    parts[0] += f", {orphaned} orphaned)" if orphaned else ")"
    parts.append(f"in {seconds:.1f} s, {rate:.1f} blocks/s")
    if voxels_per_block is not None:
        parts.append(f"{rate * voxels_per_block:.3g} voxels/s")
    if retries is not None:
        parts.append(f"{retries} retries")
    return ", ".join(parts)
