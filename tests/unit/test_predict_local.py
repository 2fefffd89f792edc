"""``dacapo.predict_local.predict``: in-process prediction into a float32 zarr."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

import dacapo
from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.errors import ConfigError, RoiError
from dacapo.predict_local import predict
from tests.unit._inference_helpers import random_raw, unet_model, whole_pass


@pytest.fixture(scope="module")
def model():
    return unet_model("valid", input_shape=(28, 28, 28))


def test_prediction_equals_one_forward_pass(tmp_path, model):
    raw = random_raw((52, 60, 44))  # voxel size 4
    output = predict(model, raw, LocalArrayIdentifier(tmp_path / "out.zarr", "prediction"))
    # default ROI: the raw ROI shrunk by the context (8 voxels = 32 world units)
    assert output.roi == Roi((32, 32, 32), (144, 176, 112))
    assert output.axes == ["c", "z", "y", "x"]
    assert output.voxel_size == Coordinate((4, 4, 4))
    assert output.dtype == np.float32
    assert output.data.chunks == (1, 12, 12, 12)  # one output window per block
    prediction = output[output.roi]
    assert np.abs(prediction - whole_pass(model, raw.data)).max() < 1e-5


def test_output_roi_is_snapped_outward_and_cut_to_the_raw_roi(tmp_path, model):
    raw = random_raw((40, 40, 40))
    identifier = LocalArrayIdentifier(tmp_path / "out.zarr", "prediction")
    output = predict(model, raw, identifier, Roi((41, 42, 97), (40, 38, 100)))
    assert output.roi == Roi((40, 40, 96), (44, 40, 64))
    # a valid U-Net gives the same values wherever its windows start, up to
    # shifts by its downsampling factor (2 voxels = 8 world units)
    reference = predict(model, raw, LocalArrayIdentifier(tmp_path / "ref.zarr", "p"),
                        raw.roi.grow(Coordinate((-32,) * 3), Coordinate((-32,) * 3)))
    inside = output.roi.intersect(reference.roi)
    assert np.abs(output[inside] - reference[inside]).max() < 1e-5


def test_a_dataset_identifier_is_normalised_as_training_raw(tmp_path, make_zarr, model):
    data = np.random.default_rng(1).integers(0, 256, (40, 40, 40), dtype=np.uint8)
    make_zarr(tmp_path / "raw.zarr", "raw", data, voxel_size=(4, 4, 4))
    from_zarr = predict(model, LocalArrayIdentifier(tmp_path / "raw.zarr", "raw"),
                        LocalArrayIdentifier(tmp_path / "out.zarr", "a"))
    scaled = random_raw((40, 40, 40))
    scaled.data[:] = data.astype(np.float32) / 255
    from_array = predict(model, scaled, LocalArrayIdentifier(tmp_path / "out.zarr", "b"))
    assert np.abs(from_zarr[from_zarr.roi] - from_array[from_array.roi]).max() < 1e-5


def test_predicting_again_replaces_the_output(tmp_path, model):
    identifier = LocalArrayIdentifier(tmp_path / "out.zarr", "prediction")
    predict(model, random_raw((40, 40, 40)), identifier)
    raw = random_raw((52, 40, 40), seed=3)
    output = predict(model, raw, identifier)
    assert output.roi.shape == Coordinate((144, 96, 96))
    assert np.abs(output[output.roi] - whole_pass(model, raw.data)).max() < 1e-5


def test_the_module_and_the_package_attribute_call_predict(tmp_path, model):
    raw = random_raw((28, 28, 28))
    output = dacapo.predict_local(model, raw, LocalArrayIdentifier(tmp_path / "o.zarr", "p"))
    assert output.roi == Roi((32, 32, 32), (48, 48, 48))


def test_nothing_to_predict_is_an_error(tmp_path, model):
    raw = random_raw((16, 40, 40))  # 64 world units: all context, no output
    with pytest.raises(RoiError, match=r"nothing to predict: the raw ROI .* shrunk by the "
                       r"context \(32, 32, 32\) is empty"):
        predict(model, raw, LocalArrayIdentifier(tmp_path / "out.zarr", "p"))
    with pytest.raises(RoiError, match="nothing to predict: output_roi"):
        predict(model, random_raw((40, 40, 40)), LocalArrayIdentifier(tmp_path / "o.zarr", "p"),
                Roi((1000, 0, 0), (8, 8, 8)))


def test_output_roi_must_be_a_roi(tmp_path, model):
    with pytest.raises(RoiError, match=r"output_roi must be a funlib Roi, got '\[0:8"):
        predict(model, random_raw((40, 40, 40)), LocalArrayIdentifier(tmp_path / "o.zarr", "p"),
                "[0:8, 0:8, 0:8]")


def test_raw_of_an_unknown_range_is_refused(tmp_path, make_zarr, model):
    make_zarr(tmp_path / "raw.zarr", "raw", np.zeros((40, 40, 40), dtype=np.int16))
    with pytest.raises(ConfigError, match=r"has dtype int16; expected uint8, uint16 or a "
                       "floating point type"):
        predict(model, LocalArrayIdentifier(tmp_path / "raw.zarr", "raw"),
                LocalArrayIdentifier(tmp_path / "out.zarr", "p"))
