"""LocalTorch: the device it picks, and its parameters."""

from __future__ import annotations

import logging

import pytest
import torch

from dacapo.compute_context import ComputeContext, LocalTorch
from dacapo.errors import ConfigError
from dacapo.store.converter import converter

GB = 10**9


@pytest.fixture
def fake_cuda(monkeypatch):
    """CUDA 'available' with two GPUs; returns a dict whose 'free' sets the free bytes."""
    state = {"free": 10 * GB, "calls": 0}

    def mem_get_info(device=None):
        state["calls"] += 1
        return state["free"], 16 * GB

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "mem_get_info", mem_get_info)
    return state


def test_defaults_follow_upstream():
    context = LocalTorch()
    assert (context.distribute_workers, context.oom_limit) == (False, 4.2)
    assert isinstance(context, ComputeContext)


def test_cpu_when_cuda_is_missing(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert LocalTorch().device == torch.device("cpu")


def test_explicit_device_wins(fake_cuda):
    assert LocalTorch(device="cpu").device == torch.device("cpu")
    assert LocalTorch(device="cuda:1").device == torch.device("cuda:1")
    assert fake_cuda["calls"] == 0  # an explicit device ignores oom_limit


def test_cuda_when_available_with_room(fake_cuda):
    assert LocalTorch().device == torch.device("cuda")


def test_low_free_gpu_memory_falls_back_to_cpu(fake_cuda, caplog):
    fake_cuda["free"] = 2 * GB  # below the default oom_limit of 4.2 GB
    context = LocalTorch()
    with caplog.at_level(logging.WARNING):
        assert context.device == torch.device("cpu")
        assert context.device == torch.device("cpu")
    assert caplog.text.count("only 2.00 GB of GPU memory free, below oom_limit 4.2") == 1
    assert fake_cuda["calls"] == 1  # chosen once, on first use
    assert LocalTorch(oom_limit=1.5).device == torch.device("cuda")
    assert LocalTorch(oom_limit=None).device == torch.device("cuda")


@pytest.mark.parametrize(
    "device, match",
    [
        ("cuda", "device 'cuda' was asked for but this machine has 0 CUDA device"),
        ("cuda:0", "device 'cuda:0' was asked for"),
    ],
)
def test_explicit_cuda_without_cuda(monkeypatch, device, match):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match=match):
        LocalTorch(device=device).device


def test_explicit_gpu_index_out_of_range(fake_cuda):
    with pytest.raises(ConfigError, match="'cuda:2' was asked for but this machine has 2 CUDA"):
        LocalTorch(device="cuda:2").device


def test_explicit_mps_without_mps(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="device 'mps' was asked for"):
        LocalTorch(device="mps").device


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"device": "gpu"}, "`device` must be one of 'cpu', 'cuda', 'cuda:N' .*got 'gpu'; "
                            "leave it unset"),
        ({"device": "cuda:x"}, "`device` must be one of .*got 'cuda:x'"),
        ({"oom_limit": -1}, "`oom_limit` must be a finite number >= 0 \\(or None\\), got -1"),
        ({"oom_limit": "4"}, "`oom_limit` must be a finite number"),
        ({"distribute_workers": "yes"}, "`distribute_workers` must be True or False, got 'yes'"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ConfigError, match=f"LocalTorch: {match}"):
        LocalTorch(**kwargs)


def test_round_trips_through_the_converter():
    context = LocalTorch(distribute_workers=True, device="cpu", oom_limit=None)
    data = converter.unstructure(context)
    assert data == {"__type__": "LocalTorch", "distribute_workers": True, "device": "cpu",
                    "oom_limit": None}
    assert converter.structure(data, LocalTorch) == context
