"""The training lock of a run: one holder, named to a second one; stale locks
of killed processes taken over; released however training ends."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from dacapo.errors import StoreError
from dacapo.store._run_lock import LOCK_NAME, run_lock
from dacapo.store.local_weights_store import LocalWeightsStore


def write_lock(folder, **holder):
    folder.mkdir(parents=True, exist_ok=True)
    content = {"run": "run", "host": socket.gethostname(), "pid": os.getppid(),
               "started": "2026-01-01T00:00:00+00:00", "token": "x", **holder}
    (folder / LOCK_NAME).write_text(json.dumps(content))
    return folder / LOCK_NAME


def dead_pid():
    """The pid of a process that has ended (and was reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_lock_file_names_the_holder_and_goes_when_done(tmp_path):
    with run_lock(tmp_path / "run", "run") as path:
        holder = json.loads(path.read_text())
        assert holder["host"] == socket.gethostname() and holder["pid"] == os.getpid()
        assert holder["run"] == "run" and holder["started"]
    assert not path.exists()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_the_lock_goes_when_training_fails_or_is_interrupted(tmp_path, error):
    with pytest.raises(error):
        with run_lock(tmp_path / "run", "run"):
            raise error()
    assert not (tmp_path / "run" / LOCK_NAME).exists()


def test_a_lock_held_by_a_live_process_is_refused_with_holder_and_fix(tmp_path):
    path = write_lock(tmp_path / "run", pid=os.getppid())
    with pytest.raises(StoreError, match=(
        rf"run 'run' is being trained by another process: its lock {re.escape(str(path))} is held by pid "
        rf"{os.getppid()} on host '{re.escape(socket.gethostname())}' \(since 2026-01-01T00:00:00\+00:00\); "
        rf"wait for that training to end or stop it, or, if that process is gone.*delete")):
        with run_lock(tmp_path / "run", "run"):
            pass
    assert json.loads(path.read_text())["pid"] == os.getppid()  # left alone


def test_a_lock_of_another_host_is_never_taken_over(tmp_path):
    write_lock(tmp_path / "run", host="gpu-node-7", pid=dead_pid())
    with pytest.raises(StoreError, match=r"held by pid \d+ on host 'gpu-node-7'"):
        with run_lock(tmp_path / "run", "run"):
            pass


def test_this_process_cannot_take_its_own_lock_twice(tmp_path):
    with run_lock(tmp_path / "run", "run"):
        with pytest.raises(StoreError, match=r"run 'run' is already being trained by this process"):
            with run_lock(tmp_path / "run", "run"):
                pass
        assert (tmp_path / "run" / LOCK_NAME).exists()  # the refused one did not remove it
    assert not (tmp_path / "run" / LOCK_NAME).exists()


def test_a_stale_lock_of_a_killed_process_is_taken_over_with_a_warning(tmp_path, caplog):
    pid = dead_pid()
    write_lock(tmp_path / "run", pid=pid)
    with caplog.at_level(logging.WARNING), run_lock(tmp_path / "run", "run") as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert f"took over the stale lock {path} of pid {pid} on host" in caplog.text
    assert not path.exists() and not path.with_name(LOCK_NAME + ".break").exists()


def test_a_lock_of_this_pid_it_does_not_hold_is_stale(tmp_path, caplog):
    """Left by an earlier process that had the same pid (e.g. in a container)."""
    write_lock(tmp_path / "run", pid=os.getpid())
    with caplog.at_level(logging.WARNING), run_lock(tmp_path / "run", "run"):
        pass
    assert "took over the stale lock" in caplog.text


@pytest.mark.parametrize("content", ["", "{", "null", '{"pid": "12"}', '{"pid": -1}',
                                     '{"pid": 0}', '{"pid": true}', "\x00\x01"], ids=repr)
def test_an_old_unreadable_lock_is_taken_over(tmp_path, caplog, content):
    """A process killed between creating its lock and writing it."""
    path = write_lock(tmp_path / "run")
    path.write_text(content)
    os.utime(path, (time.time() - 60, time.time() - 60))
    with caplog.at_level(logging.WARNING), run_lock(tmp_path / "run", "run"):
        pass
    assert "took over the stale lock" in caplog.text and "an unknown process" in caplog.text


def test_a_lock_with_a_pid_out_of_range_is_stale(tmp_path, caplog):
    write_lock(tmp_path / "run", pid=2**40)
    with caplog.at_level(logging.WARNING), run_lock(tmp_path / "run", "run"):
        pass
    assert "took over the stale lock" in caplog.text


def test_a_breaker_left_by_a_killed_process_is_removed(tmp_path):
    write_lock(tmp_path / "run", pid=dead_pid())
    breaker = tmp_path / "run" / (LOCK_NAME + ".break")
    breaker.write_text("")
    os.utime(breaker, (time.time() - 60, time.time() - 60))
    with run_lock(tmp_path / "run", "run") as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not breaker.exists()


def test_a_lock_replaced_meanwhile_is_left_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING), run_lock(tmp_path / "run", "run") as path:
        path.write_text(json.dumps({"pid": os.getppid(), "host": "h", "token": "other"}))
    assert "was removed or replaced by another process" in caplog.text
    assert json.loads(path.read_text())["token"] == "other"


def test_a_run_directory_that_is_a_file_is_named(tmp_path):
    (tmp_path / "run").write_text("")
    with pytest.raises(StoreError, match=rf"run 'run': cannot create the lock file "
                       rf"{re.escape(str(tmp_path / 'run' / LOCK_NAME))} .*check that "
                       rf"{re.escape(str(tmp_path / 'run'))} is a "
                       r"writable directory"):
        with run_lock(tmp_path / "run", "run"):
            pass


def test_a_lock_that_is_a_directory_is_named(tmp_path):
    (tmp_path / "run" / LOCK_NAME).mkdir(parents=True)
    with pytest.raises(StoreError, match=rf"lock file {re.escape(str(tmp_path / 'run' / LOCK_NAME))} cannot be "
                       r"read .*delete it"):
        with run_lock(tmp_path / "run", "run"):
            pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_run_directory_is_named(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run").chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"cannot create the lock file .*writable directory"):
            with run_lock(tmp_path / "run", "run"):
                pass
    finally:
        (tmp_path / "run").chmod(0o700)


def test_the_weights_store_lock_removes_killed_checkpoint_writes(tmp_path):
    folder = tmp_path / "run" / "checkpoints"
    for name in ("iterations/.10.abcd_123.tmp", "records/.10.json.zz99yy88.tmp",
                 "iterations/10", "records/10.json", "iterations/.keep"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("")
    with LocalWeightsStore(tmp_path).training_lock("run"):
        assert (tmp_path / "run" / LOCK_NAME).exists()
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == ["iterations/.keep", "iterations/10", "records/10.json"]
    assert not (tmp_path / "run" / LOCK_NAME).exists()


@pytest.fixture
def remote(tmp_path):
    """A run directory on fsspec's in-memory file system (as an s3:// one is)."""
    from upath import UPath

    return UPath(f"memory://{tmp_path}/run")


def test_a_remote_run_directory_gets_a_lock_file_too(remote):
    with run_lock(remote, "run") as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
        with pytest.raises(StoreError, match=r"already being trained by this process"):
            with run_lock(remote, "run"):
                pass
    assert not path.exists()


def test_a_remote_lock_of_a_live_process_is_refused_and_a_stale_one_taken_over(remote, caplog):
    path = write_lock(remote, pid=os.getppid())
    with pytest.raises(StoreError, match=rf"held by pid {os.getppid()} on host"):
        with run_lock(remote, "run"):
            pass
    pid = dead_pid()
    write_lock(remote, pid=pid)
    with caplog.at_level(logging.WARNING), run_lock(remote, "run"):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert f"of pid {pid} on host" in caplog.text
    assert not path.exists() and not path.with_name(LOCK_NAME + ".break").exists()


def test_without_exclusive_creation_training_goes_on_unlocked_with_a_warning(
    remote, monkeypatch, caplog
):
    from fsspec.implementations.memory import MemoryFileSystem

    opened = MemoryFileSystem._open

    def no_exclusive_mode(self, path, mode="rb", **kwargs):
        if "x" in mode:
            raise NotImplementedError("File mode not supported")
        return opened(self, path, mode, **kwargs)

    monkeypatch.setattr(MemoryFileSystem, "_open", no_exclusive_mode)
    with caplog.at_level(logging.WARNING), run_lock(remote, "run") as path:
        assert not path.exists()
    assert ("cannot create a file only if it is absent (NotImplementedError: File mode not "
            "supported); training without a lock file") in caplog.text
