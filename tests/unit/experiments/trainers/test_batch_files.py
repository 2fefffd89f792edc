"""``BatchFiles``: a data worker's large arrays reach the training process
through files, equal and in their own type, and no file is left behind."""

import os
import time

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.trainers._batch_files import MIN_BYTES, ORPHAN_SECONDS, BatchFiles


def batch_of(**arrays):
    batch = gp.Batch()
    for name, data in arrays.items():
        spec = gp.ArraySpec(roi=Roi((0,) * data.ndim, data.shape),
                            voxel_size=Coordinate((1,) * data.ndim))
        batch[gp.ArrayKey(name.upper())] = gp.Array(data, spec)
    return batch


def batch_file_names(files):
    """The batch files in ``files``'s folder (not its lock file)."""
    return [name for name in os.listdir(files.folder) if name != ".owner"]


@pytest.fixture
def files(tmp_path):
    files = BatchFiles(str(tmp_path))
    yield files
    files.close()


def test_large_arrays_travel_through_files_and_come_back_equal(files):
    rng = np.random.default_rng(0)
    raw = rng.random((70, 70, 70), dtype=np.float32)  # above MIN_BYTES
    gt = rng.integers(0, 2**40, (64, 64, 64), dtype=np.uint64)
    small = np.arange(10, dtype=np.uint8)
    sent = files.put(batch_of(raw=raw.copy(), gt=gt.copy(), small=small.copy()))
    assert not isinstance(sent[gp.ArrayKey("RAW")].data, np.ndarray)
    assert isinstance(sent[gp.ArrayKey("SMALL")].data, np.ndarray)  # through the pipe
    assert len(batch_file_names(files)) == 2
    received = files.take(sent)
    for key, want in (("RAW", raw), ("GT", gt), ("SMALL", small)):
        got = received[gp.ArrayKey(key)].data
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert batch_file_names(files) == []  # read files are removed


def test_arrays_are_read_into_what_the_allocator_makes(tmp_path):
    made = []

    def allocate(shape, dtype):
        made.append((tuple(shape), np.dtype(dtype)))
        return np.full(shape, 7, dtype)  # overwritten by the read

    files = BatchFiles(str(tmp_path), allocate=allocate)
    raw = np.random.default_rng(1).random((70, 70, 70), dtype=np.float32)
    try:
        received = files.take(files.put(batch_of(raw=raw.copy())))
    finally:
        files.close()
    assert made == [((70, 70, 70), np.dtype(np.float32))]
    assert np.array_equal(received[gp.ArrayKey("RAW")].data, raw)


def test_a_strided_array_is_sent_in_order(files):
    data = np.arange(2 * MIN_BYTES, dtype=np.uint8).reshape(2, -1)[:, ::2]
    received = files.take(files.put(batch_of(raw=data)))
    assert np.array_equal(received[gp.ArrayKey("RAW")].data, data)


def test_an_array_that_cannot_be_written_travels_through_the_pipe(files):
    data = np.ones(MIN_BYTES, dtype=np.uint8)
    files.close()  # the folder is gone: writing fails as on a full /dev/shm
    sent = files.put(batch_of(raw=data))
    assert sent[gp.ArrayKey("RAW")].data is data


def test_a_file_that_ends_early_is_an_error(files):
    sent = files.put(batch_of(raw=np.ones(MIN_BYTES, dtype=np.uint8)))
    with open(sent[gp.ArrayKey("RAW")].data.path, "r+b") as file:
        file.truncate(10)
    with pytest.raises(OSError, match="batch file ended early"):
        files.take(sent)


def test_a_file_removed_by_someone_else_is_a_clear_error(files):
    sent = files.put(batch_of(raw=np.ones(MIN_BYTES, dtype=np.uint8)))
    os.unlink(sent[gp.ArrayKey("RAW")].data.path)
    with pytest.raises(OSError, match="batch file is gone"):
        files.take(sent)


def test_closing_removes_what_no_one_read(files):
    files.put(batch_of(raw=np.ones(MIN_BYTES, dtype=np.uint8)))
    files.close()
    assert not os.path.exists(files.folder)


def test_closing_releases_the_exit_guard(tmp_path):
    import gc
    import weakref

    files = BatchFiles(str(tmp_path))
    files.close()
    released = weakref.ref(files)
    del files
    gc.collect()
    assert released() is None  # pipelines built again and again hold nothing at exit


def test_a_process_that_exits_without_closing_leaves_no_folder(tmp_path):
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "from dacapo.experiments.trainers._batch_files import BatchFiles\n"
        f"files = BatchFiles({str(tmp_path)!r})\n"
        "if os.fork() == 0:\n"
        "    sys.exit(0)  # a forked child exiting normally keeps the parent's folder\n"
        "os.wait()\n"
        "print(os.path.isdir(files.folder))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True"]
    assert list(tmp_path.iterdir()) == []


def _killed_owner(tmp_path, worker_lives: bool = False):
    """The folder of a process killed with SIGKILL after handing over a batch
    file; with ``worker_lives``, a forked worker of it is still running."""
    import signal
    import subprocess
    import sys

    code = (
        "import os, sys, time\n"
        "from dacapo.experiments.trainers._batch_files import BatchFiles\n"
        f"files = BatchFiles({str(tmp_path)!r})\n"
        "open(os.path.join(files.folder, '1-1'), 'wb').write(b'x' * 100)\n"
        f"if {worker_lives} and os.fork() == 0:\n"
        "    time.sleep(60)\n"
        "print(files.folder, flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    folder = process.stdout.readline().strip()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return folder, process.pid


def test_the_folder_of_a_killed_training_process_is_removed_by_the_next_one(tmp_path):
    folder, _ = _killed_owner(tmp_path)
    assert sorted(os.listdir(folder)) == [".owner", "1-1"]  # left behind, freshly written
    files = BatchFiles(str(tmp_path))
    assert not os.path.exists(folder)
    assert os.listdir(tmp_path) == [os.path.basename(files.folder)]
    files.close()


def test_a_folder_whose_worker_still_runs_is_kept(tmp_path):
    import signal

    folder, group = _killed_owner(tmp_path, worker_lives=True)
    try:
        files = BatchFiles(str(tmp_path))
        assert os.path.isdir(folder)  # the worker may still write to it
        files.close()
    finally:
        os.killpg(group, signal.SIGKILL)
    time.sleep(0.2)
    BatchFiles(str(tmp_path)).close()
    assert not os.path.exists(folder)


def test_folders_of_dead_training_processes_are_removed_when_empty_or_untouched(tmp_path):
    # folders without a lock file (a file system without flock): by process id and age
    old = time.time() - ORPHAN_SECONDS - 10
    orphan = tmp_path / "dacapo-batches-999999999-abc"  # no such process
    orphan.mkdir()
    (orphan / "1-0").write_bytes(b"x")
    os.utime(orphan, (old, old))
    recent = tmp_path / "dacapo-batches-999999998-abc"  # maybe another PID namespace's
    recent.mkdir()
    (recent / "1-0").write_bytes(b"x")
    empty = tmp_path / "dacapo-batches-999999997-abc"  # nothing to lose: removed at once
    empty.mkdir()
    live = tmp_path / f"dacapo-batches-{os.getpid()}-abc"
    live.mkdir()
    os.utime(live, (old, old))
    files = BatchFiles(str(tmp_path))
    assert not orphan.exists() and not empty.exists()
    assert recent.exists() and live.exists()
    files.close()


def test_without_file_locks_folders_go_by_process_id(tmp_path, monkeypatch):
    from dacapo.experiments.trainers import _batch_files

    monkeypatch.setattr(_batch_files, "fcntl", None)  # e.g. Windows
    files = BatchFiles(str(tmp_path))
    assert os.listdir(files.folder) == []  # no lock file
    dead = tmp_path / "dacapo-batches-999999999-abc"
    dead.mkdir()
    BatchFiles(str(tmp_path)).close()
    assert not dead.exists() and os.path.isdir(files.folder)  # its own process lives
    files.close()
