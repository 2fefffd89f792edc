"""Fixtures shared by every test.

Each test runs with its own HOME and no DACAPO_OPTIONS_FILE, so no options
file of the person running the tests is read and nothing is written outside
``tmp_path``. Config classes a test defines are unregistered after it (see
``tests/_registries.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pytest
import yaml

from tests import _registries


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """A private HOME and working directory; no options file set."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DACAPO_OPTIONS_FILE", raising=False)
    monkeypatch.chdir(home)
    return home


@pytest.fixture(autouse=True)
def _test_configs_unregistered():
    """Config classes (and registries) a test defines leave the registries after it."""
    before = _registries.snapshot()
    yield
    _registries.remove_added_since(before)


@pytest.fixture
def runs_base_dir(tmp_path, monkeypatch) -> Path:
    """A files-store options file pointing at ``tmp_path/runs``; returns that dir."""
    base = tmp_path / "runs"
    options = tmp_path / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_base_dir": str(base)}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    return base


def write_zarr(
    container: Path,
    dataset: str,
    data: np.ndarray,
    voxel_size: Sequence[int] = (1, 1, 1),
    offset: Optional[Sequence[int]] = None,
    axes: Optional[Sequence[str]] = None,
    chunks=None,
) -> Path:
    """Writes ``data`` as ``container/dataset`` with DaCapo's metadata
    (``resolution``, ``offset`` in world units, ``axes``)."""
    import zarr

    dims = len(voxel_size)
    root = zarr.open_group(str(container), mode="a")
    array = root.create_dataset(dataset, data=data, chunks=chunks or True, overwrite=True)
    array.attrs["resolution"] = [int(v) for v in voxel_size]
    array.attrs["offset"] = [int(v) for v in (offset or (0,) * dims)]
    spatial = ["z", "y", "x"][-dims:] if dims <= 3 else [f"d{i}" for i in range(dims)]
    array.attrs["axes"] = list(axes) if axes else ["c"] * (data.ndim - dims) + spatial
    return Path(container)


@pytest.fixture
def make_zarr():
    """``make_zarr(container, dataset, data, voxel_size, offset, axes)`` writes a dataset."""
    return write_zarr
