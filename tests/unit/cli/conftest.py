"""Fixtures of the CLI unit tests: a stored run, a small input, and a way to
record what a command passes to the function it calls."""

from __future__ import annotations

import importlib
from typing import Any, List

import numpy as np
import pytest

from dacapo.store.create_store import create_config_store
from tests._validation_runs import tiny_3d_run_config


@pytest.fixture
def stored_run(runs_base_dir, tmp_path):
    """The run 'tiny' (a 3D distance task) in the config store, without weights."""
    config = tiny_3d_run_config(tmp_path, name="tiny")
    create_config_store().store_run_config(config)
    return config


@pytest.fixture
def raw(tmp_path, make_zarr):
    """``raw.zarr`` holding ``raw``: 16³ uint8 voxels of size 2."""
    data = np.random.default_rng(0).integers(0, 256, (16, 16, 16), dtype=np.uint8)
    return make_zarr(tmp_path / "raw.zarr", "raw", data, voxel_size=(2, 2, 2))


@pytest.fixture
def record(monkeypatch):
    """``record("dacapo.predict.predict", returns)`` replaces the function by one
    that records its calls as ``(args, kwargs)`` in the returned list."""

    def replace(path: str, returns: Any = None) -> List[Any]:
        module_name, _, name = path.rpartition(".")
        calls: List[Any] = []

        def fake(*args, **kwargs):
            calls.append((args, kwargs))
            if isinstance(returns, BaseException):
                raise returns
            return returns

        monkeypatch.setattr(importlib.import_module(module_name), name, fake)
        return calls

    return replace

