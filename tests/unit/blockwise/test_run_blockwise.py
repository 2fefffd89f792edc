"""run_blockwise: every block once, failures named, resuming, worker kinds."""

import inspect
import logging
import re

import pytest
from funlib.geometry import Roi

import dacapo
from dacapo.blockwise import DaCapoBlockwiseTask, run_blockwise, segment_blockwise
from dacapo.errors import BlockwiseError, ConfigError, RoiError

TOTAL = Roi((0, 0), (40, 30))
BLOCK = Roi((0, 0), (10, 10))


def _recorder(seen):
    def process(block, fail=(), tag=None):
        if block.block_id[1] in fail:
            raise ValueError(f"cannot process block {block.block_id[1]}")
        seen.append((tag, block.block_id[1], block.write_roi))

    return process


def test_the_documented_signatures():
    documented = ("worker_file total_roi read_roi write_roi num_workers max_retries timeout "
                  "upstream_tasks").split()
    for function in (run_blockwise, DaCapoBlockwiseTask.__new__):
        names = [p for p in inspect.signature(function).parameters if p != "cls"]
        assert names[: len(documented)] == documented
    parameters = inspect.signature(run_blockwise).parameters
    assert (parameters["num_workers"].default, parameters["max_retries"].default) == (16, 2)
    names = list(inspect.signature(segment_blockwise).parameters)
    assert names[:10] == ["segment_function_file", "context", *documented[1:], "keep_tmpdir"]
    assert dacapo.run_blockwise is run_blockwise
    assert dacapo.segment_blockwise is segment_blockwise


def test_every_block_is_processed_once_in_this_process(in_process, caplog):
    seen = []
    caplog.set_level(logging.INFO, logger="dacapo.blockwise")
    assert run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 1, compute_context=in_process,
                         read_write_conflict=False, tag="a") is True
    assert len(seen) == 12 and len({block_id for _, block_id, _ in seen}) == 12
    assert sum(roi.size for _, _, roi in seen) == TOTAL.size  # shrunk edge blocks included
    assert re.search(r"task process_\w+: 12 blocks \(12 processed, 0 skipped, 0 failed\), "
                     r"in [\d.]+ s, [\d.]+ blocks/s, 0 retries", caplog.text)


def test_failed_blocks_are_named_with_the_logs_and_the_traceback_once(in_process, isolated_home):
    seen = []
    with pytest.raises(BlockwiseError) as raised:
        run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 2, 1, compute_context=in_process,
                      read_write_conflict=False, fail=(3, 5))
    message = str(raised.value)
    task_id = re.search(r"blockwise task '(process_\w+)'", message).group(1)
    assert "2 of 12 blocks failed (block ids 3, 5)" in message
    assert f"worker logs: {isolated_home.resolve() / 'daisy_logs' / task_id}/" in message
    assert message.count("ValueError: cannot process block") == 1
    assert "blockwise_task.py" not in message  # no wrapper frames
    assert len(seen) == 10


def test_a_rerun_processes_only_the_blocks_that_did_not_finish(in_process, tmp_path):
    seen, failing = [], {4}

    def process(block):
        if block.block_id[1] in failing:
            raise ValueError("not yet")
        seen.append(block.block_id[1])

    options = dict(compute_context=in_process, tracking_dir=tmp_path / "records",
                   read_write_conflict=False)
    with pytest.raises(BlockwiseError):
        run_blockwise(process, TOTAL, BLOCK, BLOCK, 1, 0, **options)
    assert len(seen) == 11 and 4 not in seen
    failing.clear()  # the same job (same task id), now able to process block 4
    assert run_blockwise(process, TOTAL, BLOCK, BLOCK, 1, 0, **options)
    assert seen[11:] == [4]


def test_without_a_tracking_dir_a_rerun_processes_everything(in_process):
    seen = []
    for _ in range(2):
        run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 1, compute_context=in_process,
                      read_write_conflict=False)
    assert len(seen) == 24


def test_a_worker_that_cannot_load_fails_every_block_without_loading_again(in_process):
    from dacapo.blockwise.worker import LazyBlockFunction

    loads = []

    def load():
        loads.append(1)
        raise FileNotFoundError("no model at /models/missing.pt")

    worker = type("Worker", (), {"read_write_conflict": False, "fit": "shrink",
                                 "spawn_worker": staticmethod(lambda: LazyBlockFunction(load))})
    with pytest.raises(BlockwiseError, match=r"(?s)12 of 12 blocks failed.*no model at"):
        run_blockwise(worker(), TOTAL, BLOCK, BLOCK, 1, compute_context=in_process)
    assert len(loads) == 1


def test_a_check_function_skips_blocks_that_are_done(in_process):
    seen = []
    run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 1, compute_context=in_process,
                  read_write_conflict=False,
                  check_function=lambda block: block.write_roi.begin[0] < 20)
    assert sorted(roi.begin[0] for _, _, roi in seen) == [20] * 3 + [30] * 3


def test_upstream_tasks_run_first(in_process):
    seen = []
    upstream = DaCapoBlockwiseTask(_recorder(seen), TOTAL, BLOCK, BLOCK, 1,
                                   compute_context=in_process, read_write_conflict=False,
                                   tag="up")
    run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 1, 2, None, [upstream],
                  compute_context=in_process, read_write_conflict=False, tag="down")
    order = [(tag, tuple(roi.begin)) for tag, _, roi in seen]
    assert len(order) == 24
    for roi in {roi for _, roi in order}:  # each block after the same block upstream
        assert order.index(("up", roi)) < order.index(("down", roi))


def test_the_default_compute_context_comes_from_the_options():
    seen = []
    assert run_blockwise(_recorder(seen), TOTAL, BLOCK, BLOCK, 4, read_write_conflict=False)
    assert len(seen) == 12  # LocalTorch, not distributing: in this process


def test_worker_processes_keep_going_after_a_failed_block(processes, caplog):
    seen_file = []  # closures do not come back from worker processes: count the error
    with pytest.raises(BlockwiseError) as raised:
        run_blockwise(_recorder(seen_file), TOTAL, BLOCK, BLOCK, 2, 1,
                      compute_context=processes, read_write_conflict=False, fail=(7,))
    message = str(raised.value)
    assert "1 of 12 blocks failed (block ids 7)" in message
    assert message.count("ValueError: cannot process block 7") == 1


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ((TOTAL, Roi((0, 0), (5, 5)), BLOCK), RoiError, "write_roi .* is not inside read_roi"),
        (((0, 0), BLOCK, BLOCK), ConfigError, "total_roi must be a funlib.geometry.Roi"),
        ((TOTAL, BLOCK, BLOCK, 0), ConfigError, "num_workers must be an integer >= 1, got 0"),
        ((TOTAL, BLOCK, BLOCK, 1, -1), ConfigError, "max_retries must be an integer >= 0"),
    ],
)
def test_bad_arguments_are_named(in_process, arguments, error, match):
    with pytest.raises(error, match=match):
        run_blockwise(lambda block: None, *arguments, compute_context=in_process)


def test_a_spawn_worker_that_returns_no_function_is_named(in_process):
    worker = type("Worker", (), {"read_write_conflict": False, "fit": "shrink",
                                 "spawn_worker": staticmethod(lambda: "not a function")})
    with pytest.raises(ConfigError, match="returned 'not a function', not a process function"):
        run_blockwise(worker(), TOTAL, BLOCK, BLOCK, 1, compute_context=in_process)


def _crashing_worker():
    raise OSError("cannot reach the scheduler's file system")


def test_workers_that_cannot_start_are_reported_with_their_error(processes):
    worker = type("Worker", (), {"read_write_conflict": False, "fit": "shrink",
                                 "spawn_worker": staticmethod(lambda: _crashing_worker)})
    with pytest.raises(BlockwiseError, match=r"(?s)daisy gave up on its workers.*"
                       r"12 left unprocessed.*cannot reach the scheduler's file system"):
        run_blockwise(worker(), TOTAL, BLOCK, BLOCK, 2, compute_context=processes)


@pytest.mark.parametrize("context", ["in_process", "processes"])
def test_one_progress_bar_per_job_counts_every_block(request, monkeypatch, context):
    import io

    from dacapo.blockwise import scheduler
    from dacapo.blockwise._progress import BlockwiseProgress

    bars = []

    class Recording(BlockwiseProgress):
        def __init__(self):
            super().__init__(disable=False, file=io.StringIO())
            bars.append(self)

    monkeypatch.setattr(scheduler, "BlockwiseProgress", Recording)
    run_blockwise(lambda block: None, TOTAL, BLOCK, BLOCK, 2,
                  compute_context=request.getfixturevalue(context), read_write_conflict=False)
    (progress,) = bars
    (bar,) = progress.bars.values()
    assert (bar.n, bar.total) == (12, 12) and "12/12" in progress.file.getvalue()
