"""Where the demo keeps its data, runs and outputs, and how it starts over.

Everything lives under the options' ``runs_base_dir``: the two runs as any
run (``configs/``, ``stats/``, ``<run>/``) and the rest in ``demo/``::

    demo/settings.json      the settings the demo was made with
    demo/data.zarr          training and validation crops (train/, test/)
    demo/volume.zarr        the volume to segment: raw, cells, mito
    demo/outputs/volume.zarr  predictions and segmentations of the volume
    demo/outputs/<run>.json   what applying <run> to the volume gave (scores)
    demo/runs.png           training loss and validation scores
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Optional, Tuple

import attr

from .settings import DemoSettings

logger = logging.getLogger(__name__)

__all__ = ["DemoLayout", "RUN_NAMES", "remove_demo", "read_json", "write_json"]

#: the demo's runs: a distance run for mitochondria, an affinities run for cells
MITO_RUN, CELLS_RUN = "demo_mito", "demo_cells"
RUN_NAMES: Tuple[str, str] = (MITO_RUN, CELLS_RUN)


@attr.s(frozen=True)
class DemoLayout:
    """The demo's paths below ``runs_base_dir``."""

    runs_base_dir: Path = attr.ib(converter=Path)

    @property
    def root(self) -> Path:
        """The demo's own folder."""
        return self.runs_base_dir / "demo"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def data(self) -> Path:
        """Training and validation crops."""
        return self.root / "data.zarr"

    @property
    def volume(self) -> Path:
        """The volume to segment, with its ground truth."""
        return self.root / "volume.zarr"

    @property
    def outputs(self) -> Path:
        """Where ``apply`` writes (``outputs/volume.zarr``)."""
        return self.root / "outputs"

    @property
    def plot(self) -> Path:
        return self.root / "runs.png"

    def result(self, run_name: str) -> Path:
        """The record of applying ``run_name`` to the volume."""
        return self.outputs / f"{run_name}.json"


def remove_demo(layout: DemoLayout) -> None:
    """Deletes the demo's runs (configs, stats, checkpoints, validation and
    snapshots) and its folder; nothing else under ``runs_base_dir``."""
    from dacapo.errors import NoSuchNameError
    from dacapo.store.create_store import create_config_store, create_stats_store

    config_store, stats_store = create_config_store(), create_stats_store()
    for name in RUN_NAMES:
        try:
            config_store.delete_run_config(name)
        except NoSuchNameError:
            pass
        stats_store.delete_training_stats(name)
        stats_store.delete_validation_scores(name)
        _remove_tree(layout.runs_base_dir / name)
    _remove_tree(layout.root)
    logger.info("removed the demo's runs %s and %s", ", ".join(RUN_NAMES), layout.root)


def _remove_tree(path: Path) -> None:
    """Moves ``path`` aside, then deletes it (a half-deleted tree is never
    mistaken for a finished one)."""
    if not path.exists():
        return
    doomed = path.with_name(f".{path.name}.{uuid.uuid4().hex}.deleted")
    os.replace(path, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


def read_json(path: Path) -> Optional[Any]:
    """The JSON data in ``path``; None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Writes ``data`` as JSON to ``path`` atomically."""
    from dacapo.store._files import atomic_write_text

    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def stored_settings(layout: DemoLayout) -> Optional[DemoSettings]:
    """The settings the demo under ``layout`` was made with, if any."""
    return DemoSettings.from_dict(read_json(layout.settings))
