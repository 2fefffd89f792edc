"""Blockwise ``predict`` with worker processes against in-process ``predict_local``."""

from __future__ import annotations

import logging
import types

import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

import dacapo
from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._inference_setup import load_model
from dacapo.predict import predict
from dacapo.predict_local import predict as predict_local
from dacapo.store.create_store import create_config_store, create_weights_store
from tests._validation_runs import tiny_3d_run_config

pytestmark = pytest.mark.slow

ITERATION = 3


@pytest.fixture
def stored_run(runs_base_dir, tmp_path):
    """A tiny valid 3D U-Net distance run, stored with weights of ITERATION."""
    config = tiny_3d_run_config(tmp_path)
    create_config_store().store_run_config(config)
    model = load_model(config, 0)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05)  # other weights than the fresh model's
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    run = types.SimpleNamespace(name="tiny", model=model, optimizer=optimizer)
    create_weights_store().store_weights(run, ITERATION)
    return config


@pytest.fixture
def raw_zarr(tmp_path, make_zarr):
    data = np.random.default_rng(0).integers(0, 256, (48, 40, 40), dtype=np.uint8)
    return make_zarr(tmp_path / "raw.zarr", "raw", data, voxel_size=(4, 4, 4), chunks=(16,) * 3)


def _local_prediction(config, raw_zarr, tmp_path, roi):
    model = load_model(config, ITERATION)
    output = predict_local(model, LocalArrayIdentifier(raw_zarr, "raw"),
                           LocalArrayIdentifier(tmp_path / "local.zarr", "p"), roi)
    return output[roi]


def test_two_workers_write_what_predict_local_writes(stored_run, raw_zarr, tmp_path):
    roi = Roi((32, 32, 32), (128, 96, 96))
    floats = predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out", num_workers=2,
                     output_dtype=np.float32)
    assert floats.roi == roi  # the raw ROI shrunk by the context (8 voxels of 4)
    assert floats.data.chunks == (1, 12, 12, 12)  # one output window per block
    assert floats.dtype == np.float32
    assert str(floats.data.store.path).endswith("out/raw.zarr")
    local = _local_prediction(stored_run, raw_zarr, tmp_path, roi)
    assert np.abs(floats[roi] - local).max() == 0


def test_uint8_prediction_resumes_without_overwrite(stored_run, raw_zarr, tmp_path, caplog):
    roi = Roi((40, 32, 40), (96, 96, 88))  # 2 x 2 x 2 blocks of one 12-voxel window
    text = "[40:136,32:128,40:132]"  # x is cut to the raw ROI less the context
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        scaled = dacapo.predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out.zarr",
                                text, num_workers=2)
    assert "8 blocks (8 processed, 0 skipped, 0 failed)" in caplog.text
    assert scaled.roi == roi and scaled.dtype == np.uint8
    assert str(scaled.data.store.path).endswith("out.zarr")
    # a distance task's clamp range [-1, 1] scaled to 0..255
    local = _local_prediction(stored_run, raw_zarr, tmp_path, roi)
    expected = np.clip(np.rint((local + 1) / 2 * 255), 0, 255)
    data = scaled[roi]
    assert np.abs(data.astype(int) - expected).max() <= 1
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        again = predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out.zarr", text,
                        overwrite=False)
    assert "8 blocks (0 processed, 8 skipped, 0 failed)" in caplog.text
    np.testing.assert_array_equal(again[roi], data)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out.zarr", text)
    assert "8 blocks (8 processed, 0 skipped, 0 failed)" in caplog.text  # overwrite: all


def test_missing_weights_name_the_run_and_the_iteration(stored_run, raw_zarr, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"run 'tiny' has no weights for iteration "
                       r"7 \(train it that far, or choose a stored iteration"):
        predict("tiny", 7, raw_zarr, "raw", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_iteration_0_is_the_same_fresh_model_everywhere(stored_run):
    first, second = load_model(stored_run, 0), load_model(stored_run, 0)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    trained = load_model(stored_run, ITERATION)
    assert not torch.equal(next(trained.parameters()), next(first.parameters()))
    assert Coordinate(trained.eval_input_shape) == Coordinate((28, 28, 28))


def _cpu():
    from dacapo.compute_context import LocalTorch

    return LocalTorch(device="cpu")


def test_one_cpu_worker_predicts_in_this_process(stored_run, raw_zarr, tmp_path, caplog,
                                                 monkeypatch):
    roi = Roi((32, 32, 32), (128, 96, 96))
    loads = []
    monkeypatch.setattr("dacapo._inference_setup.load_model",
                        lambda *a, _load=load_model: loads.append(a) or _load(*a))
    with caplog.at_level(logging.INFO):
        floats = predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out", num_workers=1,
                         output_dtype=np.float32, compute_context=_cpu())
    assert "with 1 worker(s) in this process" in caplog.text
    assert "12 blocks (12 processed, 0 skipped, 0 failed)" in caplog.text
    assert len(loads) == 1  # the model predict loaded, not one more per worker
    local = _local_prediction(stored_run, raw_zarr, tmp_path, roi)
    assert floats.roi == roi and np.abs(floats[roi] - local).max() == 0


def _failing_writes(monkeypatch, failures: int):
    """The first ``failures`` block writes raise ``OSError("disk full")``."""
    from dacapo._inference import InferenceEngine

    write, calls = InferenceEngine._write, []

    def flaky(self, job, data):
        calls.append(job.write_roi)
        if len(calls) <= failures:
            raise OSError("disk full")
        return write(self, job, data)

    monkeypatch.setattr(InferenceEngine, "_write", flaky)
    return calls


def test_a_block_failing_in_this_process_is_retried(stored_run, raw_zarr, tmp_path, caplog,
                                                     monkeypatch):
    calls = _failing_writes(monkeypatch, failures=1)
    text = "[40:136,32:128,40:132]"  # 2 x 2 x 2 blocks
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.scheduler"):
        floats = predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out", text,
                         output_dtype=np.float32, compute_context=_cpu())
    assert "8 blocks (8 processed, 0 skipped, 0 failed)" in caplog.text
    assert len(calls) == 9 and calls[0] in calls[1:]  # the failed block again
    roi = Roi((40, 32, 40), (96, 96, 88))
    local = _local_prediction(stored_run, raw_zarr, tmp_path, roi)
    assert np.abs(floats[roi] - local).max() == 0


def test_a_block_failing_in_this_process_for_good_names_the_error(stored_run, raw_zarr,
                                                                   tmp_path, monkeypatch):
    from dacapo.errors import BlockwiseError

    _failing_writes(monkeypatch, failures=1000)
    with pytest.raises(BlockwiseError, match=r"(?s)did not finish: 8 of 8 blocks failed "
                       r"\(block ids 0, .*Run it again to retry only the blocks that did "
                       r"not finish.*OSError: disk full"):
        predict("tiny", ITERATION, raw_zarr, "raw", tmp_path / "out", "[40:136,32:128,40:132]",
                compute_context=_cpu())
