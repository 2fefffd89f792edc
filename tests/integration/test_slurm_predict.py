"""Blockwise ``predict`` whose workers run as jobs of a real one-node Slurm
cluster (started by ``tests/_slurm_cluster.py``): the same output as with
local workers, also when Slurm kills a worker's job halfway, and a rerun
skips the blocks already done.

Needs root and Debian's Slurm packages (``make slurm``); skipped otherwise.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import types
from pathlib import Path
from typing import Dict, Iterator, List, Set

import numpy as np
import pytest
import torch
import yaml

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._inference_setup import load_model
from dacapo.blockwise.tracking import done_count, failure_count, tracking_dir_for
from dacapo.compute_context import LocalTorch, Slurm
from dacapo.predict import predict
from dacapo.store.create_store import create_config_store, create_weights_store
from tests import _slurm_cluster
from tests._slurm_cluster import SlurmCluster, SlurmClusterError, unavailable_reason
from tests._validation_runs import tiny_3d_run_config
from tests.conftest import write_zarr

pytestmark = pytest.mark.slow

ITERATION = 1
DATASET = f"prediction_tiny_{ITERATION}"
#: a 64 x 40 x 40 raw at voxel size 4 less a context of 8 voxels a side, in
#: blocks of one 12³ output window: 4 x 2 x 2 blocks
RAW_SHAPE = (64, 40, 40)
BLOCKS = 16
JOB_NAME = "dacapo_predict_worker_"
SUMMARY = re.compile(r"(\d+) blocks \((\d+) processed, (\d+) skipped, (\d+) failed\)")


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory) -> Iterator[SlurmCluster]:
    """A running one-node cluster; SLURM_CONF points at it."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
    except SlurmClusterError as error:
        pytest.fail(f"Slurm is installed but the test cluster did not start: {error}",
                    pytrace=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", cluster.env["SLURM_CONF"])
        yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def setup(tmp_path_factory, slurm_cluster) -> types.SimpleNamespace:
    """A stored tiny run, its raw input and the output of local workers."""
    base = tmp_path_factory.mktemp("run")
    options = base / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_base_dir": str(base / "runs")}))
    data = np.random.default_rng(0).integers(0, 256, RAW_SHAPE, dtype=np.uint8)
    raw = write_zarr(base / "raw.zarr", "raw", data, voxel_size=(4, 4, 4), chunks=(32,) * 3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DACAPO_OPTIONS_FILE", str(options))
        patch.chdir(base)
        _store_run(base)
        local = _predict(raw, base / "local.zarr", LocalTorch())
    return types.SimpleNamespace(options=options, raw=raw, local=local[local.roi])


@pytest.fixture
def run_options(setup, monkeypatch):
    """The options of the stored run for this test (conftest unsets them)."""
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(setup.options))
    return setup


def _store_run(base: Path) -> None:
    config = tiny_3d_run_config(base)
    create_config_store().store_run_config(config)
    model = load_model(config, 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    create_weights_store().store_weights(
        types.SimpleNamespace(name="tiny", model=model, optimizer=optimizer), ITERATION
    )


def _predict(raw: Path, output: Path, context, overwrite: bool = True):
    return predict("tiny", ITERATION, raw, "raw", output, num_workers=2,
                   output_dtype=np.float32, blocks_per_pass=1, compute_context=context,
                   overwrite=overwrite)


def _summary(text: str):
    counts = [tuple(int(n) for n in match) for match in SUMMARY.findall(text)]
    assert len(counts) == 1, text
    return counts[0]


def _tracking(output: Path) -> List[Path]:
    return list(tracking_dir_for(LocalArrayIdentifier(output, DATASET)).glob("predict_worker_*"))


def _done(output: Path) -> int:
    return sum(done_count(task) or 0 for task in _tracking(output))


class QueueWatcher(threading.Thread):
    """Polls ``squeue`` until stopped; ``jobs`` maps the id of every worker
    job seen to its last state."""

    def __init__(self, cluster: SlurmCluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.jobs: Dict[str, str] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.jobs.update(self.running_now())
            time.sleep(0.1)

    def running_now(self) -> Dict[str, str]:
        result = self.cluster.run("squeue", "--noheader", "--format=%i %j %T")
        lines = (line.split() for line in result.stdout.splitlines())
        return {job: state for job, name, state in lines if name.startswith(JOB_NAME)}

    def __enter__(self) -> "QueueWatcher":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.join()


def _logged_job_ids(log_dir: Path) -> Set[str]:
    """Slurm job ids the workers logged in their daisy logs."""
    text = "".join(p.read_text() for p in log_dir.rglob("worker_*.err"))
    return set(re.findall(r"worker running in Slurm job (\d+)", text))


def test_slurm_workers_write_what_local_workers_write(slurm_cluster, run_options, tmp_path,
                                                      caplog):
    output = tmp_path / "slurm.zarr"
    with QueueWatcher(slurm_cluster) as watcher, caplog.at_level(
        logging.INFO, logger="dacapo.blockwise.scheduler"
    ):
        result = _predict(run_options.raw, output, Slurm(num_cpus=1))
    assert _summary(caplog.text) == (BLOCKS, BLOCKS, 0, 0)
    np.testing.assert_array_equal(result[result.roi], run_options.local)
    assert len(watcher.jobs) >= 2, watcher.jobs  # both workers were Slurm jobs
    logged = _logged_job_ids(Path("daisy_logs"))
    assert set(watcher.jobs) <= logged, (watcher.jobs, logged)
    print(f"squeue showed {len(watcher.jobs)} worker jobs: {sorted(watcher.jobs)}")

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        again = _predict(run_options.raw, output, Slurm(num_cpus=1), overwrite=False)
    assert _summary(caplog.text) == (BLOCKS, 0, BLOCKS, 0)  # nothing predicted again
    np.testing.assert_array_equal(again[again.roi], run_options.local)


def _chunk_times(output: Path) -> Dict[str, int]:
    """Modification times of the chunk files (not of zarr's temporary files)."""
    return {p.name: p.stat().st_mtime_ns for p in (output / DATASET).iterdir()
            if re.fullmatch(r"\d+(\.\d+)*", p.name)}


class KillOneWorker(QueueWatcher):
    """Lets only the first worker job predict (the others are frozen with
    ``scontrol suspend`` as they start); once a block is done, freezes it
    too, notes the blocks done and the chunks written and cancels it with
    ``scancel`` (it holds blocks). The others stay frozen (and any that
    starts meanwhile is frozen too) until a third worker job has been seen,
    so the scheduler must replace the killed worker however fast the others
    would have finished; then all go on."""

    #: seconds to wait for the replacement of the killed worker
    REPLACEMENT_TIMEOUT = 120.0

    def __init__(self, cluster: SlurmCluster, output: Path):
        super().__init__(cluster)
        self.output = output
        self.frozen: List[str] = []
        self.killed = ""
        self.done_at_kill = -1
        self.chunks_at_kill: Dict[str, int] = {}
        self.error = ""

    def run(self) -> None:
        try:
            self._kill_the_first()
            self._await_replacement()
        except Exception as error:  # reported by the test
            self.error = repr(error)
        finally:
            if self.frozen:
                self.cluster.run("scontrol", "resume", ",".join(self.frozen))
        super().run()

    def _running(self) -> List[str]:
        queued = self.running_now()
        self.jobs.update(queued)
        return sorted((j for j, s in queued.items() if s == "RUNNING"), key=int)

    def _kill_the_first(self) -> None:
        while not self.killed and not self.stopped.is_set():
            running = self._running()
            if running:
                self._freeze([j for j in running[1:] if j not in self.frozen])
                if _done(self.output) > 0:
                    self._kill(running[0])
            time.sleep(0.02)

    def _await_replacement(self) -> None:
        deadline = time.monotonic() + self.REPLACEMENT_TIMEOUT
        while len(self.jobs) < 3 and not self.stopped.is_set():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no job replaced the killed worker job {self.killed} "
                                   f"in {self.REPLACEMENT_TIMEOUT} s; jobs seen: {self.jobs}")
            running = self._running()
            self._freeze([j for j in running if j != self.killed and j not in self.frozen
                          and len(self.jobs) < 3])
            time.sleep(0.02)

    def _freeze(self, jobs: List[str]) -> None:
        if jobs:
            self.cluster.run("scontrol", "suspend", ",".join(jobs))
            self.frozen += jobs

    def _kill(self, job: str) -> None:
        self.cluster.run("scontrol", "suspend", job)
        time.sleep(0.3)  # let writes under way end
        self.done_at_kill = _done(self.output)
        self.chunks_at_kill = _chunk_times(self.output)
        self.killed = job
        self.cluster.run("scancel", job)


def test_a_worker_job_killed_by_slurm_is_replaced_and_the_output_complete(
    slurm_cluster, run_options, tmp_path, caplog
):
    output = tmp_path / "killed.zarr"
    context = Slurm(num_cpus=1)
    with KillOneWorker(slurm_cluster, output) as killer, caplog.at_level(
        logging.INFO, logger="dacapo.blockwise.scheduler"
    ):
        result = _predict(run_options.raw, output, context)
    assert not killer.error, killer.error
    assert killer.killed, "no worker job was killed"
    assert 0 < killer.done_at_kill < BLOCKS, killer.done_at_kill
    np.testing.assert_array_equal(result[result.roi], run_options.local)
    assert _summary(caplog.text) == (BLOCKS, BLOCKS, 0, 0)
    assert _done(output) == BLOCKS
    # a fresh worker job took over from the killed one: seen in squeue, or (when
    # it ran between two polls) in the logs of this task's workers
    task = re.search(r"task (predict_worker_\w+):", caplog.text).group(1)
    logged = _logged_job_ids(Path("daisy_logs") / task)
    assert len(set(killer.jobs) | logged) >= 3, (killer.jobs, logged)
    # blocks done before the kill were not predicted again: their chunks were
    # not rewritten, but for blocks the killed worker held (retried, each
    # counted as a failure): with blocks_per_pass 1, the block it predicted
    # and the next one it had fetched
    after = _chunk_times(output)
    rewritten = [name for name, t in killer.chunks_at_kill.items() if after[name] != t]
    failures = sum(failure_count(task) or 0 for task in _tracking(output))
    assert len(rewritten) <= failures <= 2, (rewritten, failures)
    assert failures >= 1  # the killed worker held a block, which was retried
    print(f"killed job {killer.killed} with {killer.done_at_kill} of {BLOCKS} blocks done; "
          f"{failures} block(s) retried, {len(rewritten)} chunk(s) written again; squeue "
          f"showed {len(killer.jobs)} worker jobs")


def test_a_cluster_that_cannot_start_fails_with_the_daemon_logs(tmp_path, monkeypatch):
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    monkeypatch.setattr(_slurm_cluster, "SLURM_CONF",
                        _slurm_cluster.SLURM_CONF + "NoSuchSlurmParameter=1\n")
    cluster = SlurmCluster(tmp_path)
    with pytest.raises(SlurmClusterError, match=r"(?s)exited while starting.*"
                       r"slurmctld.out:\nslurmctld: error: .*NoSuchSlurmParameter"):
        cluster.start(timeout=20)
    cluster.stop()  # a second stop does nothing
