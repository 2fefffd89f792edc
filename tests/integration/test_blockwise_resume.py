"""A blockwise job killed with SIGKILL halfway, then run again, processes
exactly the blocks that were not recorded as done, and its output is the same
as that of an uninterrupted run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.blockwise import run_blockwise
from dacapo.blockwise.tracking import done_count, tracking_dir_for
from dacapo.compute_context import LocalTorch
from tests.unit.blockwise._helpers import create_dataset, read

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL"),
]

ROI = Roi((0, 0, 0), (32, 32, 32))
BLOCK = Roi((0, 0, 0), (8, 8, 8))
BLOCKS = 64

# a worker that writes 2 * input + 1 and then logs the block it finished
WORKER = '''
import time
from functools import partial

from dacapo.blockwise.worker import LazyBlockFunction

read_write_conflict = False
fit = "shrink"


def load(input_id, output_id, log, delay):
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    source = ZarrArray.open_from_array_identifier(input_id)
    target = ZarrArray.open_from_array_identifier(output_id)

    def process(block):
        time.sleep(delay)
        target[block.write_roi] = source[block.write_roi] * 2 + 1
        with open(log, "a") as f:
            f.write(f"{block.block_id[1]}\\n")

    return process


def spawn_worker(input_array_identifier, output_array_identifier, log, delay):
    # a block function: daisy runs it here or ships it to its worker processes
    return LazyBlockFunction(partial(load, input_array_identifier, output_array_identifier,
                                     log, delay))
'''

JOB = '''
import sys
from funlib.geometry import Roi
from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.blockwise import run_blockwise
from dacapo.compute_context import LocalTorch

run_blockwise(sys.argv[1], Roi((0, 0, 0), (32, 32, 32)), Roi((0, 0, 0), (8, 8, 8)),
              Roi((0, 0, 0), (8, 8, 8)), int(sys.argv[4]),
              compute_context=LocalTorch(distribute_workers=True, device="cpu"),
              input_array_identifier=LocalArrayIdentifier(sys.argv[2], "input"),
              output_array_identifier=LocalArrayIdentifier(sys.argv[2], "output"),
              log=sys.argv[3], delay=0.02)
'''


def _lines(log: Path):
    return log.read_text().split() if log.exists() else []


def _kill_halfway(command, log: Path) -> None:
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(_lines(log)) < BLOCKS // 2:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the job ended early: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the job and its worker processes
    process.wait()


@pytest.mark.parametrize("num_workers", [1, 2], ids=["in-process", "2-worker-processes"])
def test_a_killed_job_run_again_finishes_only_the_missing_blocks(tmp_path, num_workers):
    worker, script, log = tmp_path / "doubler.py", tmp_path / "job.py", tmp_path / "blocks.log"
    worker.write_text(WORKER)
    script.write_text(JOB)
    container = tmp_path / "data.zarr"
    data = np.random.default_rng(0).integers(0, 100, (32, 32, 32)).astype(np.uint16)
    source = create_dataset(container, "input", data)
    output = create_dataset(container, "output", roi=ROI, dtype=np.uint16,
                            write_size=Coordinate(8, 8, 8))

    _kill_halfway([sys.executable, str(script), str(worker), str(container), str(log),
                   str(num_workers)], log)
    first = _lines(log)
    tracking = next(tracking_dir_for(output).glob("doubler_*"))
    done = done_count(tracking)
    # killed halfway: at least half the blocks logged, each worker's last one
    # perhaps not yet recorded as done by daisy
    assert BLOCKS // 2 <= len(first) and BLOCKS // 2 - num_workers <= done < BLOCKS
    assert len(first) - num_workers <= done <= len(first)

    # the same job again (here, in this process)
    assert run_blockwise(worker, ROI, BLOCK, BLOCK, num_workers,
                         compute_context=LocalTorch(distribute_workers=True, device="cpu"),
                         input_array_identifier=source, output_array_identifier=output,
                         log=str(log), delay=0.02)
    second = _lines(log)[len(first):]
    assert len(second) == BLOCKS - done  # exactly the blocks not recorded as done
    assert len(set(first) | set(second)) == BLOCKS
    # redone: at most the blocks in flight when the job was killed
    assert len(set(first) & set(second)) <= num_workers
    np.testing.assert_array_equal(read(output), data * 2 + 1)  # = an uninterrupted run


def test_a_second_run_of_a_finished_job_skips_every_block(tmp_path):
    worker, log = tmp_path / "doubler.py", tmp_path / "blocks.log"
    worker.write_text(WORKER)
    container = tmp_path / "data.zarr"
    source = create_dataset(container, "input", np.ones((32, 32, 32), np.uint16))
    output = create_dataset(container, "output", roi=ROI, dtype=np.uint16)
    options = dict(compute_context=LocalTorch(device="cpu"), input_array_identifier=source,
                   output_array_identifier=output, log=str(log), delay=0.0)
    run_blockwise(worker, ROI, BLOCK, BLOCK, 1, **options)
    run_blockwise(worker, ROI, BLOCK, BLOCK, 1, **options)
    assert len(_lines(log)) == BLOCKS
    create_dataset(container, "output", roi=ROI, dtype=np.uint16)  # recreated: all again
    run_blockwise(worker, ROI, BLOCK, BLOCK, 1, **options)
    assert len(_lines(log)) == 2 * BLOCKS
    np.testing.assert_array_equal(read(output), 3)
