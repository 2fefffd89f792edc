"""One trainer per run: a lock file in the run's directory names its holder.

``run_lock(folder, run_name)`` creates ``<folder>/training.lock`` atomically
(``O_CREAT | O_EXCL``) holding ``{"run", "host", "pid", "started", "token"}``
and removes it when the ``with`` block ends, however it ends. A second
process gets a ``StoreError`` naming the holder and the fix. A lock left by a
process that no longer exists (same host, pid gone: killed) is taken over
with a warning; a lock of another host is never taken over, because its
process cannot be checked from here.

Taking over goes through a short-lived ``training.lock.break`` file, created
the same way, so that two processes finding one stale lock cannot both take it.

On a remote file system (a ``runs_base_dir`` URL) the files are created with
fsspec's exclusive mode ``"xb"`` (S3's conditional writes, for example); where
the file system cannot create a file only if it is absent, training goes on
without a lock, with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Set

from dacapo.errors import StoreError
from dacapo.store._files import is_local

logger = logging.getLogger(__name__)

__all__ = ["LOCK_NAME", "run_lock"]

LOCK_NAME = "training.lock"
_WRITE_GRACE_S = 2.0  # a lock file younger than this may still be being written
_BREAKER_STALE_S = 10.0  # a breaker file older than this was left by a killed process
_HELD: Set[str] = set()  # the lock files this process holds

Holder = Dict[str, Any]


@contextmanager
def run_lock(folder: Path, run_name: str) -> Iterator[Path]:
    """Holds the training lock of run ``run_name`` in ``folder`` (its directory)."""
    path = folder / LOCK_NAME
    try:
        mine = _acquire(path, run_name)
    except _NoExclusiveCreate as error:
        logger.warning("run %r: the file system of %s cannot create a file only if it is "
                       "absent (%s); training without a lock file: make sure only one process "
                       "trains this run", run_name, path, error)
        yield path
        return
    try:
        yield path
    finally:
        _release(path, mine)


def _acquire(path: Path, run_name: str) -> Holder:
    """Creates the lock file, taking over a stale one; ``StoreError`` if it is held."""
    mine: Holder = {
        "run": run_name, "host": socket.gethostname(), "pid": os.getpid(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "token": uuid.uuid4().hex,
    }
    deadline = time.monotonic() + _BREAKER_STALE_S + _WRITE_GRACE_S + 5
    while time.monotonic() < deadline:
        if _create(path, mine):
            _HELD.add(str(path))
            return mine
        holder = _read(path)
        if holder is None:  # released in the meantime
            continue
        if not _is_stale(path, holder):
            raise StoreError(_held_message(path, run_name, holder))
        _take_over(path, holder, run_name)
    raise StoreError(
        f"run {run_name!r}: could not take the lock {path} within "
        f"{_BREAKER_STALE_S + _WRITE_GRACE_S + 5:.0f} s (other processes keep taking it); "
        "make sure only one process trains this run"
    )


class _NoExclusiveCreate(Exception):
    """The file system cannot create a file only if it is absent."""


def _create(path: Path, mine: Holder) -> bool:
    """Creates ``path`` holding ``mine``; False if it exists."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _create_exclusive(path, json.dumps(mine).encode("utf-8"))
    except OSError as error:  # e.g. the run's "directory" is a file, or read-only
        raise StoreError(_create_message(path, mine, error)) from error


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Creates ``path`` holding ``data`` unless it exists (then False), in one
    step that no other process can interleave with."""
    if is_local(path):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        return True
    try:
        with path.open("xb") as stream:
            stream.write(data)
    except FileExistsError:
        return False
    except (NotImplementedError, ValueError) as error:  # no exclusive mode here
        raise _NoExclusiveCreate(f"{type(error).__name__}: {error}") from None
    return True


def _create_message(path: Path, mine: Holder, error: OSError) -> str:
    return (f"run {mine['run']!r}: cannot create the lock file {path} ({error}); check that "
            f"{path.parent} is a writable directory")


def _read(path: Path) -> Optional[Holder]:
    """The holder in the lock file; None if it is gone; ``{}`` if it cannot be read
    (after waiting a moment for a lock that is still being written)."""
    while True:
        try:
            text = path.read_bytes()
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return None
        except OSError as error:  # e.g. a directory of that name
            raise StoreError(
                f"the lock file {path} cannot be read ({error}); if no process trains "
                f"this run, delete it and train again"
            ) from error
        try:
            holder = json.loads(text)
            pid = holder.get("pid") if isinstance(holder, dict) else None
            if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0:
                return holder
        except ValueError:
            pass
        if age > _WRITE_GRACE_S:
            return {}
        time.sleep(0.05)


def _is_stale(path: Path, holder: Holder) -> bool:
    """Whether the holder's process is known to be gone (or the file is garbage)."""
    if not holder:
        return True
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder["pid"]
    if pid == os.getpid():
        return str(path) not in _HELD  # else this very process holds it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user
        return False
    except (OSError, OverflowError):  # e.g. a pid out of range in a garbage file
        return True
    return False


def _take_over(path: Path, holder: Holder, run_name: str) -> None:
    """Removes the stale lock ``holder`` wrote, unless another process got to it first."""
    breaker = path.with_name(path.name + ".break")
    if not _create_exclusive(breaker, b""):
        _remove_old_breaker(breaker)
        return
    try:
        if _read(path) == holder:
            path.unlink(missing_ok=True)  # gone already if a breaker was wrongly thought old
            logger.warning("run %r: took over the stale lock %s of %s (that process is "
                           "gone; it was killed or crashed while training)", run_name, path,
                           _describe(holder))
    finally:
        breaker.unlink(missing_ok=True)


def _remove_old_breaker(breaker: Path) -> None:
    """Waits a moment for another process's take-over; removes a breaker left by
    a process killed during one."""
    try:
        if time.time() - breaker.stat().st_mtime > _BREAKER_STALE_S:
            breaker.unlink(missing_ok=True)
            return
    except FileNotFoundError:
        return
    time.sleep(0.05)


def _release(path: Path, mine: Holder) -> None:
    """Removes the lock file if it is still this holder's."""
    _HELD.discard(str(path))
    holder = _read(path)
    if holder is not None and holder.get("token") == mine["token"]:
        path.unlink(missing_ok=True)
    else:
        logger.warning("run %r: the lock %s was removed or replaced by another process "
                       "while this one trained", mine["run"], path)


def _describe(holder: Holder) -> str:
    """The holder in words."""
    if not holder:
        return "an unknown process (the file holds no readable holder)"
    return (f"pid {holder.get('pid')} on host {holder.get('host')!r} (since "
            f"{holder.get('started')})")


def _held_message(path: Path, run_name: str, holder: Holder) -> str:
    if holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        return (f"run {run_name!r} is already being trained by this process (lock {path}); "
                "train a run once at a time")
    return (
        f"run {run_name!r} is being trained by another process: its lock {path} is held by "
        f"{_describe(holder)}; wait for that training to end or stop it, or, if that "
        f"process is gone (e.g. its machine crashed), delete {path} and train again"
    )
