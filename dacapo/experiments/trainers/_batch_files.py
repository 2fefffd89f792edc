"""Large arrays of a batch handed from a data worker to the training process
through files in memory, instead of pickled through a pipe."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from typing import Callable, Optional, Tuple

import attrs
import numpy as np

try:
    import fcntl
except ImportError:  # Windows: folders of dead processes go by process id and age
    fcntl = None  # type: ignore[assignment]

__all__ = ["BatchFiles", "MIN_BYTES", "ORPHAN_SECONDS"]

#: arrays smaller than this travel through the pipe as before
MIN_BYTES = 1 << 20
_PREFIX = "dacapo-batches-"
#: the file a training process (and its forked workers) hold locked while
#: they use its folder: the kernel drops the lock when the last of them dies,
#: however it dies, so a free lock marks an orphan at once
_LOCK = ".owner"
#: a folder without a lock (a file system without ``flock``) untouched this
#: long whose training process is gone is removed (a live one changes with
#: every batch; the age guards against a process id that is dead here but
#: alive in another PID namespace sharing /dev/shm)
ORPHAN_SECONDS = 3600


@attrs.frozen
class _InFile:
    """Where a worker left an array's bytes, and how to read them back."""

    path: str
    shape: Tuple[int, ...]
    dtype: str


class BatchFiles:
    """A folder of one training process (in ``/dev/shm`` where there is one)
    through which its data workers hand over large arrays.

    Through a pipe, a batch of 20 MB is about 300 reads of 64 kB, each giving
    the GIL back and waiting for it again while the training thread launches
    GPU work, plus two more copies to unpickle it. Here a worker writes each
    large array to a file with one write and the training process reads it
    with one read into the array it returns (made by ``allocate``), then
    removes the file. An array
    whose file cannot be written (e.g. a full ``/dev/shm``, which Docker
    limits to 64 MB by default) travels through the pipe instead.
    """

    def __init__(self, base: Optional[str] = None,
                 allocate: Optional[Callable[[Tuple[int, ...], np.dtype], np.ndarray]] = None):
        if base is None and os.access("/dev/shm", os.W_OK):
            base = "/dev/shm"
        _remove_orphans(base or tempfile.gettempdir())
        self.folder = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base)
        self._lock = _hold_lock(self.folder)
        self._written = 0  # files this process wrote (named with its pid)
        self._owner = os.getpid()
        #: makes the array a file is read into (e.g. page-locked memory on a GPU,
        #: copied to the device without another copy); ``np.empty`` by default
        self.allocate = allocate or np.empty
        atexit.register(self._close_at_exit)  # a process that leaves without teardown

    def put(self, batch):
        """In a worker: the large arrays of ``batch`` (a ``gp.Batch``) written
        to files and replaced by where they are."""
        for array in batch.arrays.values():
            data = array.data
            if isinstance(data, np.ndarray) and data.nbytes >= MIN_BYTES:
                self._written += 1
                path = os.path.join(self.folder, f"{os.getpid()}-{self._written}")
                if _write(path, np.ascontiguousarray(data)):
                    array.data = _InFile(path, data.shape, data.dtype.str)
        return batch

    def take(self, batch):
        """In the training process: ``batch`` with its arrays read back (each
        file is removed once read)."""
        for array in batch.arrays.values():
            if isinstance(array.data, _InFile):
                array.data = _read(array.data, self.allocate)
        return batch

    def close(self) -> None:
        """Removes the folder with what no one read (batches left in the queue)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        atexit.unregister(self._close_at_exit)  # done: exit need not hold on to it

    def _close_at_exit(self) -> None:
        if os.getpid() == self._owner:  # not in a forked worker that exits normally
            self.close()


def _write(path: str, data: np.ndarray) -> bool:
    try:
        with open(path, "wb", buffering=0) as file:
            view = data.reshape(-1).view(np.uint8).data
            while view:
                view = view[file.write(view):]
        return True
    except OSError:  # no space: this array goes through the pipe
        _unlink(path)
        return False


def _read(where: _InFile, allocate=np.empty) -> np.ndarray:
    data = allocate(where.shape, np.dtype(where.dtype))
    view = data.reshape(-1).view(np.uint8).data
    try:
        file = open(where.path, "rb", buffering=0)
    except FileNotFoundError as error:
        raise OSError(f"{where.path}: a data worker's batch file is gone; was its folder "
                      "removed while training ran (e.g. /dev/shm cleaned)?") from error
    with file:
        while view:
            read = file.readinto(view)
            if not read:
                raise OSError(f"{where.path}: a data worker's batch file ended early")
            view = view[read:]
    _unlink(where.path)
    return data


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _hold_lock(folder: str) -> Optional[int]:
    """Locks ``folder``'s lock file for this process (its descriptor; None
    where the file system has no ``flock``). The file is locked before it
    gets its name, so no one finds it unlocked while its owner lives."""
    if fcntl is None:
        return None
    path = os.path.join(folder, f"{_LOCK}.{os.getpid()}.tmp")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        _unlink(path)
        return None
    os.replace(path, os.path.join(folder, _LOCK))
    return descriptor


def _remove_orphans(base: str) -> None:
    """Removes the folders of training processes that died without closing
    them: at once when their lock is free; without a lock, empty ones of a
    dead process id at once and others once untouched for ``ORPHAN_SECONDS``."""
    try:
        names = [n for n in os.listdir(base) if n.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        path = os.path.join(base, name)
        owned = _owned(path)
        if owned is None:
            _remove_unlocked(name, path)
        elif not owned:
            shutil.rmtree(path, ignore_errors=True)


def _owned(path: str) -> Optional[bool]:
    """Whether a live process holds ``path``'s lock; None without a lock file
    or where locks do not work."""
    if fcntl is None:
        return None
    try:
        descriptor = os.open(os.path.join(path, _LOCK), os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _remove_unlocked(name: str, path: str) -> None:
    pid = name[len(_PREFIX):].split("-", 1)[0]
    if not pid.isdigit() or _alive(int(pid)):
        return
    try:  # an empty folder at once: removing it costs a live owner nothing
        os.rmdir(path)  # (its workers' next writes fail and go through the pipe)
    except OSError:
        if _untouched(path):
            shutil.rmtree(path, ignore_errors=True)


def _untouched(path: str) -> bool:
    try:
        return time.time() - os.stat(path).st_mtime > ORPHAN_SECONDS
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
