"""Done-block records next to the output, wiped when the output is recreated."""

from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.blockwise.tracking import (
    TaskTracking,
    done_count,
    failure_count,
    prepare_tracking_dir,
    reset_tracking,
    tracking_dir_for,
)


def test_the_tracking_dir_lies_next_to_the_output_container():
    identifier = LocalArrayIdentifier("/data/out.zarr", "volumes/mask")
    assert tracking_dir_for(identifier) == Path("/data/out.zarr.blocks/volumes/mask")


def test_records_survive_a_rerun_and_go_when_the_output_is_recreated(tmp_path, dataset):
    output = dataset("mask", np.zeros((4, 4, 4), np.uint8))
    base = tmp_path / "records"
    prepare_tracking_dir(base, output)
    (base / "task_1").mkdir()
    prepare_tracking_dir(base, output)  # the same dataset: records stay
    assert (base / "task_1").is_dir()
    dataset("mask", np.zeros((4, 4, 4), np.uint8))  # recreated (overwrite)
    prepare_tracking_dir(base, output)
    assert base.is_dir() and not (base / "task_1").exists()
    reset_tracking(base)
    assert not base.exists()


def test_a_temporary_tracking_dir_goes_away():
    tracking = TaskTracking(None, "task_1")
    assert tracking.ephemeral and tracking.base.is_dir()
    tracking.cleanup()
    assert not tracking.base.exists()


def test_done_and_failure_counts_read_daisys_records(tmp_path):
    import daisy

    def process(block):
        if block.block_id[1] == 2:
            block.status = daisy.BlockStatus.FAILED

    path = tmp_path / "task"
    task = daisy.Task("t", Roi((0,), (50,)), Roi((0,), (10,)), Roi((0,), (10,)),
                      process_function=process, read_write_conflict=False, fit="shrink",
                      max_retries=1, tracking_path=str(path))
    daisy.run_blockwise([task], multiprocessing=False, progress=False, summary=False)
    assert done_count(path) == 4
    assert failure_count(path) == 2  # block 2, tried twice
    assert done_count(tmp_path / "nothing") is None
