"""``predict`` killed with SIGKILL halfway, then run again with
``overwrite=False``, predicts only the blocks not recorded as done, and its
output is identical to that of an uninterrupted run."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._inference_setup import load_model
from dacapo.blockwise.tracking import done_count, tracking_dir_for
from dacapo.predict import predict
from dacapo.store.create_store import create_config_store, create_weights_store
from tests._validation_runs import tiny_3d_run_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL"),
]

ITERATION = 1
#: a 64³ raw at voxel size 4 less a context of 8 voxels a side, in output
#: windows (= blocks) of 12³ voxels: 4 x 4 x 4 blocks
BLOCKS = 64
DATASET = f"prediction_tiny_{ITERATION}"

JOB = """
import sys
import numpy as np
from dacapo.predict import predict

predict("tiny", {iteration}, sys.argv[1], "raw", sys.argv[2], num_workers=1,
        output_dtype=np.float32, blocks_per_pass=1)
"""

SUMMARY = re.compile(r"(\d+) blocks \((\d+) processed, (\d+) skipped, (\d+) failed\)")


@pytest.fixture
def stored_run(runs_base_dir, tmp_path):
    """A tiny valid 3D U-Net (28³ voxels in, 12³ out), stored with weights."""
    config = tiny_3d_run_config(tmp_path)
    create_config_store().store_run_config(config)
    model = load_model(config, 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    create_weights_store().store_weights(
        types.SimpleNamespace(name="tiny", model=model, optimizer=optimizer), ITERATION
    )
    return config


@pytest.fixture
def raw_zarr(tmp_path, make_zarr):
    data = np.random.default_rng(0).integers(0, 256, (64, 64, 64), dtype=np.uint8)
    return make_zarr(tmp_path / "raw.zarr", "raw", data, voxel_size=(4, 4, 4), chunks=(32,) * 3)


def _done(output: Path) -> int:
    tracking = tracking_dir_for(LocalArrayIdentifier(output, DATASET))
    return sum(done_count(task) or 0 for task in tracking.glob("predict_worker_*"))


def _kill_halfway(command, output: Path, log: Path) -> int:
    """Runs ``command`` in its own session and kills it, workers included,
    once some blocks (not all) are recorded done; returns how many are."""
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while _done(output) < BLOCKS // 4:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"the job ended before it was killed: {log.read_text()[-2000:]}")
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # the job and its worker processes
    process.wait()
    return _done(output)


def _summary(text: str):
    counts = [tuple(int(n) for n in match) for match in SUMMARY.findall(text)]
    assert len(counts) == 1, text
    return counts[0]


def test_killed_predict_run_again_predicts_only_the_missing_blocks(
    stored_run, raw_zarr, tmp_path, caplog
):
    script, output = tmp_path / "job.py", tmp_path / "out.zarr"
    script.write_text(JOB.format(iteration=ITERATION))
    done = _kill_halfway([sys.executable, str(script), str(raw_zarr), str(output)], output,
                         tmp_path / "job.log")
    assert BLOCKS // 4 <= done < BLOCKS

    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        resumed = predict("tiny", ITERATION, raw_zarr, "raw", output, num_workers=1,
                          output_dtype=np.float32, blocks_per_pass=1, overwrite=False)
    assert _summary(caplog.text) == (BLOCKS, BLOCKS - done, done, 0)
    assert _done(output) == BLOCKS

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        whole = predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "whole.zarr",
                        num_workers=1, output_dtype=np.float32, blocks_per_pass=1)
    assert _summary(caplog.text) == (BLOCKS, BLOCKS, 0, 0)
    assert resumed.roi == whole.roi
    np.testing.assert_array_equal(resumed[resumed.roi], whole[whole.roi])
