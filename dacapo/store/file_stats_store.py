"""A stats store of JSON files: ``<path>/training_stats/<run>.json`` and
``<path>/validation_scores/<run>.json``."""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any, Dict, List

from dacapo.errors import StoreError
from dacapo.store._files import as_path, atomic_write_text, is_local, safe_name
from dacapo.store.stats_store import TRAINING, StatsStore, merge_records

logger = logging.getLogger(__name__)

__all__ = ["FileStatsStore"]


class FileStatsStore(StatsStore):
    """Stats and scores as one JSON list of per-iteration records per run.

    Non-finite numbers are written as the strings ``"nan"``, ``"inf"`` and
    ``"-inf"`` so that the files stay standard JSON.

    Args:
        path: The folder holding ``training_stats/`` and ``validation_scores/``,
            usually ``<runs_base_dir>/stats``; may be a URL such as ``s3://...``.
    """

    def __init__(self, path: Any):
        self.path = as_path(path)

    def __repr__(self) -> str:
        return f"FileStatsStore({str(self.path)!r})"

    def _file(self, table: str, run_name: str) -> Path:
        return self.path / table / f"{safe_name('run', run_name)}.json"

    def _merge(self, table: str, run_name: str, given: List[Dict[str, Any]]) -> None:
        merged = merge_records(self._read(table, run_name), given)
        text = json.dumps(_encode(merged), allow_nan=False)
        atomic_write_text(self._file(table, run_name), text)
        logger.debug("stored %d %s records of run %r", len(merged), table, run_name)

    def _read(self, table: str, run_name: str) -> List[Dict[str, Any]]:
        path = self._file(table, run_name)
        if not path.is_file():
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list) or not all(
                isinstance(r, dict) and isinstance(r.get("iteration"), int) for r in data
            ):
                raise ValueError("expected a list of records with an integer 'iteration'")
        except ValueError as error:  # JSONDecodeError is a ValueError
            raise StoreError(
                f"{table} file {path} of run {run_name!r} cannot be read ({error}); "
                f"delete it with delete_{table}({run_name!r}) to start the record afresh"
            ) from error
        return _decode(data)

    def remove_partial_writes(self, run_name: str) -> None:
        """Deletes the temporary files of killed writes of ``run_name``'s training stats."""
        target = self._file(TRAINING, run_name)
        if not is_local(target) or not target.parent.is_dir():
            return
        # ``atomic_write`` names them ``.<name>.<8 random characters>.tmp``
        temporary = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
        for path in target.parent.iterdir():
            if temporary.fullmatch(path.name):
                logger.info("removing %s, left by a write of run %r's stats that was killed",
                            path, run_name)
                path.unlink(missing_ok=True)

    def _delete(self, table: str, run_name: str) -> None:
        path = self._file(table, run_name)
        if path.is_file():
            path.unlink()


def _encode(value: Any) -> Any:
    """Non-finite floats (recursively) to the strings ``nan``, ``inf``, ``-inf``."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    """Inverse of ``_encode``."""
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    return value
