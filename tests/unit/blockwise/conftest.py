"""Fixtures of the blockwise tests: small zarr datasets and compute contexts."""

from __future__ import annotations

import pytest

from dacapo.compute_context import LocalTorch
from tests.unit.blockwise._helpers import create_dataset


@pytest.fixture
def dataset(tmp_path):
    """``dataset(name, data=None, **options)``: a dataset in ``tmp_path/data.zarr``."""

    def make(name, data=None, **options):
        return create_dataset(tmp_path / "data.zarr", name, data, **options)

    return make


@pytest.fixture
def in_process():
    """Workers run in this process, one block after the other."""
    return LocalTorch(distribute_workers=False, device="cpu")


@pytest.fixture
def processes():
    """Workers are processes (worker modules: commands through the context)."""
    return LocalTorch(distribute_workers=True, device="cpu")
