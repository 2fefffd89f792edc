"""Records of checkpoints: the size and sha256 of each checkpoint file.

``LocalWeightsStore`` writes ``<run>/checkpoints/records/<iteration>.json``
(``{"iteration", "size", "sha256"}``) atomically *after* the checkpoint, and
removes an old record *before* replacing a checkpoint, so a record never
describes another file than the one beside it. Before a checkpoint is loaded
its bytes are checked against the record: a truncated or overwritten file is
reported as a ``StoreError`` naming it, before torch reads it. Checkpoints
without a record (written before records existed, or by a process killed
between the two writes) are loaded unchecked.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Tuple

from dacapo.errors import StoreError
from dacapo.store._files import atomic_write_text

__all__ = ["record_of", "write_record", "verify_against_record", "read_checkpoint"]


def record_of(data: bytes, iteration: int) -> Dict[str, Any]:
    """The record of a checkpoint whose file holds ``data``."""
    return {"iteration": iteration, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_record(record_path: Path, record: Dict[str, Any]) -> None:
    """Writes ``record`` atomically (after its checkpoint is in place)."""
    atomic_write_text(record_path, json.dumps(record))


def read_checkpoint(path: Path) -> bytes:
    """The bytes of checkpoint ``path`` (read once: they are checked, then loaded)."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"checkpoint {path} cannot be read ({error})") from error


def verify_against_record(path: Path, record_path: Path, data: bytes) -> None:
    """Raises ``StoreError`` unless ``data``, the bytes of checkpoint ``path``,
    have the size and sha256 its record holds; does nothing when there is no record."""
    if not record_path.is_file():
        return
    size, digest = _read_record(path, record_path)
    actual_size, actual_digest = len(data), hashlib.sha256(data).hexdigest()
    if actual_size != size:
        problem = f"it has {actual_size} bytes, its record {record_path} says {size}"
    elif actual_digest != digest:
        problem = f"its sha256 differs from the one in its record {record_path}"
    else:
        return
    raise StoreError(
        f"checkpoint {path} is damaged ({problem}; truncated or overwritten since it was "
        "stored); delete it and its record to discard it (training resumes from the "
        "newest checkpoint that loads)"
    )


def _read_record(path: Path, record_path: Path) -> Tuple[int, str]:
    """``(size, sha256)`` from the record; ``StoreError`` if it cannot be read."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        size, digest = record["size"], record["sha256"]
        if isinstance(size, bool) or not isinstance(size, int) or not isinstance(digest, str):
            raise ValueError(f"size {size!r}, sha256 {digest!r}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoreError(
            f"checkpoint record {record_path} cannot be read ({type(error).__name__}: "
            f"{error}); expected {{\"size\": <int>, \"sha256\": <hex>}} describing "
            f"checkpoint {path}; delete the record to load the checkpoint unchecked"
        ) from error
    return size, digest
