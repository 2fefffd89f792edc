"""The prediction engine: tiling, blending, batching, OOM fallback, skipping, uint8."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo._inference import InferenceEngine, block_rois
from dacapo.errors import ConfigError, RoiError
from tests.unit._inference_helpers import empty_output, random_raw, unet_model, whole_pass

ONE = Coordinate((1, 1, 1))


def _predict(model, raw, roi, block_size=None, **kwargs):
    """Predicts ``roi`` into a fresh in-memory output; returns (data, stats)."""
    output = empty_output(roi, raw.voxel_size, dtype=kwargs.pop("dtype", np.float32))
    engine = InferenceEngine(model, raw, output, **kwargs)
    blocks = block_rois(roi, block_size or engine.geometry.default_block_size())
    stats = engine.predict(blocks)
    return output.data, stats


@pytest.fixture(scope="module")
def valid_model():
    return unet_model("valid", input_shape=(28, 28, 28))


@pytest.fixture(scope="module")
def same_model():
    # one level: a small receptive field (+-2 voxels) against a 16-voxel window
    return unet_model("same", input_shape=(16, 16, 16), downsample=())


def test_valid_windows_equal_one_forward_pass(valid_model):
    raw = random_raw((40, 52, 44), voxel_size=ONE)
    roi = raw.roi.grow(-Coordinate((8, 8, 8)), -Coordinate((8, 8, 8)))
    data, stats = _predict(valid_model, raw, roi, blocks_per_pass=3)
    # 24 x 36 x 28 voxels in windows of 12: 2 x 3 x 3 windows, the last ones cut
    assert stats.windows == 18 and stats.passes == 6
    assert np.abs(data - whole_pass(valid_model, raw.data)).max() < 1e-5


def test_several_windows_per_pass_give_the_same_values(valid_model):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = raw.roi.grow(-Coordinate((8, 8, 8)), -Coordinate((8, 8, 8)))
    one, stats_one = _predict(valid_model, raw, roi, blocks_per_pass=1)
    five, stats_five = _predict(valid_model, raw, roi, blocks_per_pass=5)
    assert (stats_one.passes, stats_five.passes) == (8, 2)
    assert np.abs(one - five).max() < 1e-5


def test_blended_same_padded_prediction_has_no_seams(same_model):
    """Blended windows match one whole-ROI pass away from the ROI border (where
    the whole pass pads every convolution, windows only the input): measured
    max difference 0.012 for values in [-1, 1] (std 0.39) with 16-voxel
    windows; tiling without overlap leaves seams of up to 1.8."""
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    whole = whole_pass(same_model, raw.data)
    whole_roi = Coordinate((40, 40, 40))  # one block: each window predicted once
    blended, _ = _predict(same_model, raw, raw.roi, whole_roi, blocks_per_pass=8)
    tiled, _ = _predict(same_model, raw, raw.roi, whole_roi, blocks_per_pass=8, overlap=0.0)
    inner = (slice(None),) + (slice(3, -3),) * 3
    blended_error = np.abs(blended - whole)[inner].max()
    tiled_error = np.abs(tiled - whole)[inner].max()
    assert blended_error < 0.02
    assert tiled_error > 50 * blended_error


def test_blended_prediction_does_not_depend_on_the_blocking(same_model):
    raw = random_raw((24, 24, 24), voxel_size=ONE)
    reference, _ = _predict(same_model, raw, raw.roi, block_size=Coordinate((24, 24, 24)))
    small, stats = _predict(same_model, raw, raw.roi, block_size=Coordinate((8, 16, 24)))
    assert stats.blocks == 6
    assert np.abs(reference - small).max() < 1e-6


def _oom_above(model, limit: int, calls: list):
    """Makes ``model`` raise CUDA's out-of-memory error on batches above ``limit``."""
    forward = model.forward

    def limited(x):
        calls.append(len(x))
        if len(x) > limit:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return forward(x)

    model.forward = limited
    return model


def test_out_of_memory_halves_blocks_per_pass(valid_model, caplog):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = raw.roi.grow(-Coordinate((8, 8, 8)), -Coordinate((8, 8, 8)))
    reference, _ = _predict(valid_model, raw, roi, blocks_per_pass=1)
    calls: list = []
    model = _oom_above(unet_model("valid", input_shape=(28, 28, 28)), 2, calls)
    with caplog.at_level(logging.WARNING):
        data, stats = _predict(model, raw, roi, blocks_per_pass=8)
    assert calls == [8, 4, 2, 2, 2, 2]  # 8 windows: halved twice, then passes of 2
    assert stats.blocks_per_pass == 2 and stats.passes == 4
    assert "out of GPU memory with 8 windows per pass; retrying with 4" in caplog.text
    assert np.abs(data - reference).max() < 1e-5


def test_out_of_memory_with_one_window_fails(valid_model):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    model = _oom_above(unet_model("valid", input_shape=(28, 28, 28)), 0, [])
    roi = Roi((8, 8, 8), (12, 12, 12))
    with pytest.raises(ConfigError, match=r"one window of input shape \(28, 28, 28\) does not "
                       r"fit in GPU memory.*eval_shape_increase, or predict with half=True"):
        _predict(model, raw, roi, blocks_per_pass=2)


@pytest.mark.parametrize("fill", [0.0, 0.5])
def test_skip_empty_writes_zeros_for_blocks_with_constant_input(valid_model, fill):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = Roi((8, 8, 8), (24, 24, 24))  # 2 x 2 x 2 windows of 12, reading 28
    _, stats = _predict(valid_model, raw, roi, skip_empty=True)
    assert stats.skipped == 0
    raw.data[:28] = fill  # the input of the 4 windows at z in [8, 20)
    plain, _ = _predict(valid_model, raw, roi)
    skipped, stats = _predict(valid_model, raw, roi, skip_empty=True)
    assert stats.skipped == 4 and stats.blocks == 8
    assert not skipped[:, :12].any()
    np.testing.assert_array_equal(plain[:, 12:], skipped[:, 12:])


def test_mask_skips_blocks_outside_it(valid_model):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = Roi((8, 8, 8), (24, 24, 24))
    mask = random_raw((40, 40, 40), voxel_size=ONE)
    mask.data[:] = 0
    mask.data[30, 30, 30] = 1  # inside the last block only
    data, stats = _predict(valid_model, raw, roi, mask=mask)
    assert stats.skipped == 7 and stats.blocks == 8
    assert not data[:, :12].any() and data[:, 12:, 12:, 12:].any()


@pytest.mark.parametrize(
    "activation, value_range",
    [(torch.nn.Sigmoid(), (0.0, 1.0)), (torch.nn.Hardtanh(), (-1.0, 1.0)), (None, (-1.0, 1.0))],
)
def test_uint8_output_scales_the_activation_range(activation, value_range):
    model = unet_model("valid", input_shape=(28, 28, 28))
    model.eval_activation = activation
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    roi = Roi((8, 8, 8), (12, 12, 12))
    floats, _ = _predict(model, raw, roi)
    scaled, _ = _predict(model, raw, roi, dtype=np.uint8)
    lo, hi = value_range
    expected = np.clip(np.rint((floats - lo) / (hi - lo) * 255), 0, 255)
    assert scaled.dtype == np.uint8
    assert np.abs(scaled.astype(int) - expected).max() <= 1


def test_half_precision_on_cpu_is_close(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    roi = Roi((8, 8, 8), (12, 12, 12))
    full, _ = _predict(valid_model, raw, roi)
    half, _ = _predict(valid_model, raw, roi, half=True)
    assert np.abs(full - half).max() < 0.05


def test_model_mode_is_restored(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    valid_model.train()
    _predict(valid_model, raw, Roi((8, 8, 8), (12, 12, 12)))
    assert valid_model.training
    valid_model.eval()


def test_output_without_the_model_channels_is_refused(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    output = empty_output(Roi((8, 8, 8), (12, 12, 12)), ONE, channels=3)
    with pytest.raises(ConfigError, match=r"has 3 channel\(s\).*the model writes 1 channel"):
        InferenceEngine(valid_model, raw, output)


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_blocks_per_pass_must_be_a_positive_integer(valid_model, value):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    output = empty_output(Roi((8, 8, 8), (12, 12, 12)), ONE)
    with pytest.raises(ConfigError, match="blocks_per_pass must be a positive integer"):
        InferenceEngine(valid_model, raw, output, blocks_per_pass=value)


def test_unsupported_output_dtype_is_refused(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    output = empty_output(Roi((8, 8, 8), (12, 12, 12)), ONE, dtype=np.int16)
    with pytest.raises(ConfigError, match="output_dtype int16 is not supported"):
        InferenceEngine(valid_model, raw, output)


def test_origin_off_the_input_grid_is_refused(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=(2, 2, 2))
    output = empty_output(Roi((16, 16, 16), (24, 24, 24)), (2, 2, 2))
    with pytest.raises(RoiError, match=r"output windows starting at \(17, 16, 16\)"):
        InferenceEngine(valid_model, raw, output, origin=Coordinate((17, 16, 16)))


def test_a_read_error_reaches_the_caller(valid_model):
    raw = random_raw((28, 28, 28), voxel_size=ONE)
    output = empty_output(Roi((8, 8, 8), (12, 12, 12)), ONE)

    def broken(roi, fill_value=0):
        raise OSError("disk on fire")

    raw.to_ndarray = broken
    engine = InferenceEngine(valid_model, raw, output)
    with pytest.raises(OSError, match="disk on fire"):
        engine.predict([Roi((8, 8, 8), (12, 12, 12))])


def _predictors():
    from dacapo.experiments.tasks import predictors as p

    return [
        ("distance clamp", p.DistancePredictor(["a"], 4.0, False), (-1.0, 1.0)),
        ("distance tanh", p.DistancePredictor(["a"], 4.0, False, eval_activation="tanh"),
         (-1.0, 1.0)),
        ("hot distance", p.HotDistancePredictor(["a", "b"], 4.0, False), (-1.0, 1.0)),
        ("inner distance", p.InnerDistancePredictor(["a"], 4.0), (0.0, 1.0)),
        ("affinities", p.AffinitiesPredictor([Coordinate((1, 0, 0))], lsds=False), (0.0, 1.0)),
        ("one hot", p.OneHotPredictor(["a", "b", "c"]), (0.0, 1.0)),
        ("dummy", p.DummyPredictor(3), (-1.0, 1.0)),
    ]


@pytest.mark.parametrize("name, predictor, expected", _predictors(),
                         ids=[case[0] for case in _predictors()])
def test_value_range_of_every_task(name, predictor, expected):
    from dacapo._build import build
    from dacapo._inference_values import value_range
    from dacapo.experiments.architectures import DummyArchitectureConfig

    model = predictor.create_model(build(DummyArchitectureConfig("arch", 1, 2)))
    assert value_range(model) == expected


def test_value_range_of_unknown_activations(caplog):
    from dacapo._inference_values import value_range

    model = unet_model("valid")
    model.eval_activation = torch.nn.ReLU()  # unbounded: the default [-1, 1], with a warning
    with caplog.at_level(logging.WARNING):
        assert value_range(model) == (-1.0, 1.0)
    assert "range of eval activation ReLU() is unknown" in caplog.text
    model.eval_activation = torch.nn.Hardsigmoid()  # saturating: found by probing
    assert value_range(model) == (0.0, 1.0)
    model.eval_activation = torch.nn.Identity()
    model.eval_activation.output_range = (0, 2)  # declared
    assert value_range(model) == (0.0, 2.0)


def test_uint8_formulas():
    from dacapo._inference_values import to_output_dtype

    x = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], np.float32)
    signed = to_output_dtype(x, np.dtype(np.uint8), (-1.0, 1.0))
    np.testing.assert_array_equal(signed, [0, 0, 128, 191, 255, 255])  # round((x+1)/2*255)
    unsigned = to_output_dtype(x, np.dtype(np.uint8), (0.0, 1.0))
    np.testing.assert_array_equal(unsigned, [0, 0, 0, 128, 255, 255])  # round(x*255)


def test_with_on_failed_a_failing_block_does_not_stop_the_others(valid_model):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = Roi((8, 8, 8), (24, 24, 24))
    reference, _ = _predict(valid_model, raw, roi)
    read = raw.to_ndarray

    def broken_below_z_4(region, fill_value=0):
        if region.begin[0] < 4:  # the input of the 4 windows at z in [8, 20)
            raise OSError("bad chunk")
        return read(region, fill_value)

    raw.to_ndarray = broken_below_z_4
    output = empty_output(roi, ONE)
    engine = InferenceEngine(valid_model, raw, output, blocks_per_pass=3)
    done, failed = [], []
    stats = engine.predict(block_rois(roi, Coordinate((12, 12, 12))), on_done=done.append,
                           on_failed=lambda block, error: failed.append((block, str(error))))
    assert (stats.blocks, stats.failed) == (4, 4)
    assert sorted(b.begin[0] for b in done) == [20] * 4
    assert [(b.begin[0], e) for b, e in failed] == [(8, "bad chunk")] * 4
    assert np.abs(output.data[:, 12:] - reference[:, 12:]).max() < 1e-5
    assert not output.data[:, :12].any()


def test_with_on_failed_a_failing_pass_fails_its_blocks(valid_model):
    raw = random_raw((40, 40, 40), voxel_size=ONE)
    roi = Roi((8, 8, 8), (24, 24, 24))
    model = unet_model("valid", input_shape=(28, 28, 28))
    forward, calls = model.forward, []

    def second_pass_breaks(x):
        calls.append(len(x))
        if len(calls) == 2:
            raise RuntimeError("cuDNN error (simulated)")
        return forward(x)

    model.forward = second_pass_breaks
    output = empty_output(roi, ONE)
    failed = []
    stats = InferenceEngine(model, raw, output, blocks_per_pass=3).predict(
        block_rois(roi, Coordinate((12, 12, 12))),
        on_failed=lambda block, error: failed.append(block))
    assert calls == [3, 3, 2] and (stats.blocks, stats.failed) == (5, 3)
    assert [tuple(b.begin) for b in failed] == [(8, 20, 20), (20, 8, 8), (20, 8, 20)]
