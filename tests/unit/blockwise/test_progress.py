"""The progress bar of a blockwise task and its summary line."""

import io
import types

from dacapo.blockwise._progress import BlockwiseProgress, summary_line


def _state(total, completed, skipped=0, failed=0, orphaned=0):
    return types.SimpleNamespace(total_block_count=total, completed_count=completed,
                                 skipped_count=skipped, failed_count=failed,
                                 orphaned_count=orphaned)


def test_one_bar_per_task_counts_done_skipped_and_failed_blocks():
    stream = io.StringIO()
    progress = BlockwiseProgress(disable=False, file=stream)
    progress.on_start({"t": _state(8, 0)})
    progress.on_progress({"t": _state(8, 5, skipped=3, failed=1)})
    assert progress.bars["t"].n == 5
    progress.on_finish({"t": _state(8, 7, skipped=3, failed=1)})
    text = stream.getvalue()
    assert "t: " in text and "7/8" in text and "skipped=3" in text and "failed=1" in text
    assert progress.seconds["t"] >= 0


def test_a_bar_driven_block_by_block_in_this_process():
    stream = io.StringIO()
    progress = BlockwiseProgress(disable=False, file=stream)
    progress.start_serial("t", total=4, done=1)
    progress.advance("t")
    progress.advance("t", failed=True)
    assert progress.bars["t"].n == 2 and progress.failed_attempts["t"] == 1
    progress.on_finish({"t": _state(4, 3, skipped=1, failed=1)})
    assert progress.bars["t"].n == 3


def test_the_summary_line_gives_blocks_rates_and_retries():
    line = summary_line("t", _state(10, 10, skipped=2), 2.0, voxels_per_block=1000, retries=3)
    assert line == ("task t: 10 blocks (8 processed, 2 skipped, 0 failed), in 2.0 s, "
                    "4.0 blocks/s, 4e+03 voxels/s, 3 retries")
    assert "orphaned" in summary_line("t", _state(4, 1, failed=1, orphaned=2), 1.0, None, None)
