"""File helpers shared by the file-backed stores: paths, names, atomic writes."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, cast

from dacapo._paths import as_path  # noqa: F401 (re-exported for the stores)
from dacapo.errors import ConfigError

if TYPE_CHECKING:
    from upath import UPath

__all__ = ["as_path", "is_local", "safe_name", "atomic_write", "atomic_write_text", "remove_tree"]


def is_local(path: Path) -> bool:
    """Whether ``path`` is on the local file system (``os`` calls work on it)."""
    return not getattr(path, "protocol", "")


def safe_name(what: str, name: Any) -> str:
    """Raises ``ConfigError`` unless ``name`` can be used as a file name.

    ``what`` names the thing being named (e.g. ``"run config"``) in the message.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{what} name: expected a non-empty string, got {name!r}")
    bad = [c for c in ("/", "\\", "..") if c in name]
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        bad.append("control characters")
    if bad:
        raise ConfigError(
            f"{what} name {name!r} contains {', '.join(map(str, bad))}; names become "
            "file names, so use letters, digits, '-', '_' and single '.' only"
        )
    return name


def atomic_write(
    path: Path, write: Callable[[IO[bytes]], object], exclusive: bool = False
) -> None:
    """Writes ``path`` through ``write(file)`` so readers never see a partial file.

    Locally the data go to a hidden temporary file in the same directory that
    then replaces ``path``; object stores (``s3://``) replace objects whole.
    With ``exclusive``, an existing ``path`` is left alone and
    ``FileExistsError`` raised, atomically: locally by a hard link (or, on a
    file system without them, by creating the name exclusively and then
    replacing it, so a reader may see it empty for a moment), remotely by
    fsspec's exclusive mode where the store has one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive and path.exists():
        raise FileExistsError(str(path))
    if not is_local(path):
        _write_remote(path, write, exclusive)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_remote(path: Path, write: Callable[[IO[bytes]], Any], exclusive: bool) -> None:
    """Writes an object store's file (its upload appears whole, or not at all);
    exclusively with fsspec's ``"xb"`` where the file system has it."""
    try:
        stream = path.open("xb" if exclusive else "wb")
    except (NotImplementedError, ValueError):  # no exclusive mode: checked above
        stream = path.open("wb")
    with stream:
        write(stream)


def _link_exclusive(tmp: str, path: Path) -> None:
    """Moves ``tmp`` to ``path`` unless ``path`` exists (``FileExistsError``)."""
    try:
        os.link(tmp, path)  # fails atomically when path exists
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system: claim the name, then replace
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        os.replace(tmp, path)


def atomic_write_text(path: Path, text: str, exclusive: bool = False) -> None:
    """``atomic_write`` of UTF-8 text."""
    atomic_write(path, lambda stream: stream.write(text.encode("utf-8")), exclusive)


def remove_tree(path: Path) -> None:
    """Deletes a file or a directory tree (no-op when absent)."""
    if is_local(path):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    elif path.exists():
        url = cast("UPath", path)  # a path with a protocol is the UPath ``as_path`` made
        url.fs.rm(url.path, recursive=True)
