"""apply: blockwise prediction then blockwise post-processing of a stored run."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import zarr

from dacapo import apply
from dacapo.errors import ConfigError, NoSuchCheckpointError, UnknownTypeError
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.experiments.tasks.post_processors import ThresholdPostProcessorParameters
from dacapo.store.create_store import create_config_store
from dacapo.validate import validate
from tests._validation_runs import DATASET, DICE, F1, distance_run_config, synthetic_container

RAW = f"test/{DATASET}/raw"


@pytest.fixture
def run(runs_base_dir, tmp_path):
    torch.manual_seed(0)
    container = synthetic_container(tmp_path)
    config = distance_run_config(container, name="applied")
    create_config_store().store_run_config(config)
    return config, container


def _open(identifier):
    return ZarrArray.open_from_array_identifier(identifier)


def test_explicit_iteration_and_parameters_threshold_the_stored_prediction(run, tmp_path):
    config, container = run
    output_id = apply(
        "applied", container, RAW, tmp_path / "out", iteration=0,
        parameters="ThresholdPostProcessorParameters(threshold=0.0)", num_workers=1,
    )
    assert output_id.container == tmp_path / "out" / "data.zarr"
    assert output_id.dataset == "output_applied_0_threshold_0.0"
    prediction = _open(type(output_id)(output_id.container, "prediction_applied_0"))
    output = _open(output_id)
    assert prediction.dtype == np.uint8 and prediction.attrs["value_range"] == [-1.0, 1.0]
    assert output.dtype == np.uint8 and output.roi == prediction.roi
    # threshold 0 of values in [-1, 1] is 127.5 of the 0..255 encoding
    assert np.array_equal(output[output.roi], prediction[prediction.roi] > 127.5)
    assert 0 < output[output.roi].mean() < 1


def test_float_predictions_use_the_threshold_as_given(run, tmp_path):
    config, container = run
    output_id = apply(
        "applied", container, RAW, tmp_path / "out", iteration=0, output_dtype=np.float32,
        parameters=ThresholdPostProcessorParameters(id=0, threshold=0.1), num_workers=1,
    )
    prediction = _open(type(output_id)(output_id.container, "prediction_applied_0"))
    output = _open(output_id)
    assert np.array_equal(output[output.roi], prediction[prediction.roi] > 0.1)


def test_best_iteration_and_parameters_come_from_validation(run, tmp_path, runs_base_dir):
    config, container = run
    validate("applied", 0)
    output_id = apply("applied", container, RAW, tmp_path / "out",
                      validation_dataset=DATASET, criterion=F1, num_workers=1)
    # the threshold validation found best, fitted to that prediction's values
    best = zarr.open_array(
        str(runs_base_dir / "applied" / "validation.zarr" / DATASET / F1), mode="r"
    )
    assert best.attrs["iteration"] == 0
    assert output_id.dataset == f"output_applied_0_{best.attrs['parameters']}"
    assert zarr.open_array(str(output_id.container / output_id.dataset), mode="r").shape


def test_missing_pieces_are_named_with_the_fix(run, tmp_path):
    config, container = run
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="run 'applied': give an iteration, or a validation"):
        apply("applied", container, RAW, out, parameters="ThresholdPostProcessorParameters()")
    with pytest.raises(NoSuchCheckpointError, match=r"no best iteration for dataset 'crop0' .*run `validate` first"):
        apply("applied", container, RAW, out, validation_dataset=DATASET, criterion=DICE)
    with pytest.raises(ConfigError, match=r"iteration 0: no validation scores at this iteration; run `validate` first"):
        apply("applied", container, RAW, out, validation_dataset=DATASET, iteration=0)
    with pytest.raises(ConfigError, match="iteration 0: give parameters, or a validation_dataset"):
        apply("applied", container, RAW, out, iteration=0)
    with pytest.raises(ConfigError, match="post-processes with ThresholdPostProcessorParameters, got Watershed"):
        apply("applied", container, RAW, out, iteration=0,
              parameters="WatershedPostProcessorParameters(bias=0.5)")
    with pytest.raises(UnknownTypeError, match="did you mean 'ThresholdPostProcessorParameters'"):
        apply("applied", container, RAW, out, iteration=0,
              parameters="ThresholdParameters(threshold=1)")
    with pytest.raises(ConfigError, match="file_format must be 'zarr' or 'n5', got 'tif'"):
        apply("applied", container, RAW, out, iteration=0, file_format="tif",
              parameters="ThresholdPostProcessorParameters()")


def test_unknown_dataset_and_criterion(run, tmp_path):
    config, container = run
    validate("applied", 0)
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match=r"no validation dataset 'crop9'; known: \['crop0'\]"):
        apply("applied", container, RAW, out, validation_dataset="crop9", iteration=0)
    with pytest.raises(ConfigError, match="unknown criterion 'speed'; known:"):
        apply("applied", container, RAW, out, validation_dataset=DATASET, criterion="speed",
              iteration=0)
