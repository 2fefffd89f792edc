"""Validation thresholds a distance prediction well (a done-when of issue 10).

A distance run validates on synthetic membranes, about a fifth of the
voxels, so that the thresholds decide the dice. Validation keeps the
prediction of its best iteration; thresholding that prediction by hand must
give the dice validation reported, and the best dice validation reports must
be within 0.01 of the best of 50 thresholds spread over the prediction's
range, whatever values the prediction holds. The second test predicts
``0.1 - 0.2 * raw`` (membranes are dark): a sensible prediction confined to
[-0.08, 0.06], as an early or poorly calibrated model gives.
"""

import numpy as np
import pytest
import torch
import zarr

import dacapo.predict_local
from dacapo.experiments import Run
from dacapo.experiments.datasplits.datasets.arrays import ZarrArray
from dacapo.validate import validate_run
from tests._validation_runs import DATASET, DICE, distance_run_config, membrane_container

pytestmark = pytest.mark.slow


def validated(runs_base_dir, tmp_path):
    """The run, its scores of iteration 0, the kept prediction and the ground truth."""
    torch.manual_seed(0)
    run = Run(distance_run_config(membrane_container(tmp_path)))
    record = validate_run(run, 0)
    root = zarr.open_group(str(runs_base_dir / "val" / "validation.zarr"), mode="r")
    prediction = root[f"0/{DATASET}/prediction"][0]
    truth = root[f"inputs/{DATASET}/gt"][:] > 0
    return run, record, prediction, truth


def run_prediction_identifier(runs_base_dir):
    from dacapo._array_identifiers import LocalArrayIdentifier

    return LocalArrayIdentifier(runs_base_dir / "val" / "validation.zarr", f"0/{DATASET}/prediction")


def predict_from_intensity(model, raw, identifier, output_roi):
    """Stands in for ``predict_local.predict``: ``0.1 - 0.2 * raw`` over ``output_roi``."""
    prediction = ZarrArray.create_from_array_identifier(
        identifier, ["c", "y", "x"], output_roi, 1, raw.voxel_size, np.float32, overwrite=True
    )
    prediction[output_roi] = (0.1 - 0.2 * raw[output_roi])[None]
    return prediction


def dice(prediction, truth, threshold):
    foreground = prediction > threshold
    return 2 * np.sum(foreground & truth) / (np.sum(foreground) + np.sum(truth))


def reported_dice(run, record):
    return np.asarray(record.scores, dtype=float)[0, :, run.validation_scores.criteria.index(DICE)]


def test_reported_dice_is_the_dice_of_the_thresholded_prediction(runs_base_dir, tmp_path):
    run, record, prediction, truth = validated(runs_base_dir, tmp_path)
    # the grid validation used: 19 thresholds fitted to the prediction's values
    post_processor = run.task.post_processor
    post_processor.set_prediction(ZarrArray.open_from_array_identifier(
        run_prediction_identifier(runs_base_dir)))
    fitted = list(post_processor.enumerate_parameters())
    assert len(fitted) == 19 and prediction.min() < fitted[0].threshold
    assert fitted[-1].threshold < prediction.max()
    for parameters, reported in zip(fitted, reported_dice(run, record)):
        assert reported == pytest.approx(dice(prediction, truth, parameters.threshold))


def test_best_reported_dice_is_within_001_of_a_50_threshold_sweep(
    runs_base_dir, tmp_path, monkeypatch
):
    monkeypatch.setattr(dacapo.predict_local, "predict", predict_from_intensity)
    run, record, prediction, truth = validated(runs_base_dir, tmp_path)
    thresholds = np.linspace(prediction.min(), prediction.max(), 50)
    swept = max(dice(prediction, truth, t) for t in thresholds)
    assert np.nanmax(reported_dice(run, record)) == pytest.approx(swept, abs=0.01)
