"""Runs to export and an offline bioimage.io, shared by the export tests."""

from __future__ import annotations

import types
from pathlib import Path
from typing import List

import attr
import torch

from dacapo.experiments.datasplits import SimpleDataSplitConfig
from dacapo.store.create_store import create_config_store, create_weights_store
from dacapo.utils.synthetic import write_synthetic_container
from tests._validation_runs import tiny_3d_run_config

#: the iteration whose weights ``store_tiny_run`` stores
ITERATION = 3


def store_tiny_run(tmp_path: Path, name: str = "tiny", data: bool = True,
                   iterations=(ITERATION,)):
    """The tiny 3D distance run (28³ in, 12³ out), stored with weights of
    ``iterations`` (other than the fresh model's); with ``data`` its datasplit
    is a synthetic 3D container with 8 nm voxels."""
    from dacapo._inference_setup import load_model

    config = tiny_3d_run_config(tmp_path, name=name)
    if data:
        container = write_synthetic_container(
            tmp_path / "data.zarr", train_crops=1, validate_crops=0, shape=(8, 8, 8),
            voxel_size=(8, 8, 8),
        )
        config = attr.evolve(config, datasplit_config=SimpleDataSplitConfig("split", container))
    create_config_store().store_run_config(config)
    model = load_model(config, 0)
    for iteration in iterations:
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.add_(0.05)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        create_weights_store().store_weights(
            types.SimpleNamespace(name=name, model=model, optimizer=optimizer), iteration
        )
    return config


def offline_bioimageio(monkeypatch, cache: Path) -> List[str]:
    """bioimageio with its cache under ``cache`` and every HTTP request
    refused; returns the list of URLs it tried to reach."""
    import httpx
    from bioimageio.spec._internal._settings import settings

    monkeypatch.setenv("BIOIMAGEIO_CACHE_PATH", str(cache))
    monkeypatch.setattr(settings, "cache_path", cache)
    tried: List[str] = []

    def refuse(method, url, *args, **kwargs):
        tried.append(str(url))
        raise httpx.ConnectError("network access is off in the tests")

    monkeypatch.setattr(httpx, "request", refuse)
    monkeypatch.setattr(httpx, "stream", refuse)
    return tried
