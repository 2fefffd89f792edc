"""The ``dacapo`` commands end to end on synthetic data: one tiny run is
trained and validated once (module fixture), then predicted and applied; the
blockwise commands threshold and segment small volumes."""

from __future__ import annotations

import attr
import numpy as np
import pytest
import torch
import yaml
from funlib.geometry import Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.blockwise import threshold_worker, watershed_function
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.utils.affinities import seg_to_affgraph
from tests._cli import invoke
from tests._validation_runs import DATASET, F1, distance_run_config, synthetic_container
from tests.unit.blockwise._helpers import create_dataset, read

pytestmark = pytest.mark.slow

RAW = f"test/{DATASET}/raw"


@attr.s(auto_attribs=True)
class Workspace:
    options: object
    container: object
    train: object
    validate: object


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Run 'cli' stored, trained 4 iterations by `dacapo train` and validated at
    iteration 4 by `dacapo validate`, under its own options file."""
    base = tmp_path_factory.mktemp("cli")
    options = base / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_base_dir": str(base / "runs")}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DACAPO_OPTIONS_FILE", str(options))
        container = synthetic_container(base)
        create_config_store().store_run_config(
            distance_run_config(container, name="cli", num_iterations=4, validation_interval=2))
        torch.manual_seed(0)
        trained = invoke("train", "-r", "cli", "--no-validation")
        validated = invoke("validate", "-r", "cli", "-i", "4")
    return Workspace(options, container, trained, validated)


@pytest.fixture
def cli_run(workspace, monkeypatch):
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(workspace.options))
    return workspace


def test_train_stores_checkpoints_and_stats(cli_run):
    assert cli_run.train.exit_code == 0, cli_run.train.stderr
    weights = create_weights_store()
    assert weights.latest_iteration("cli") == 4
    assert weights.retrieve_weights("cli", 2).model  # one per validation interval
    assert create_stats_store().retrieve_training_stats("cli").trained_until() == 4
    assert invoke("train", "-r", "cli").exit_code == 0  # trained already: nothing to do


def test_validate_stores_scores_and_the_best_iteration(cli_run):
    assert cli_run.validate.exit_code == 0, cli_run.validate.stderr
    scores = create_stats_store().retrieve_validation_iteration_scores("cli")
    assert [record.iteration for record in scores] == [4]
    assert create_weights_store().retrieve_best("cli", DATASET, F1) == 4


def test_predict_writes_the_roi_in_the_dtype_asked(cli_run, tmp_path):
    result = invoke("predict", "-r", "cli", "-i", "4", "-ic", cli_run.container, "-id", RAW,
                    "-op", tmp_path / "out.zarr", "-roi", "[16:112,20:112]", "-dt", "float32",
                    "-w", "1")
    assert result.exit_code == 0, result.stderr
    output = ZarrArray.open_from_array_identifier(
        LocalArrayIdentifier(tmp_path / "out.zarr", "prediction_cli_4"))
    assert output.roi == Roi((16, 20), (96, 92))  # world units, on the voxel grid of 4
    assert output.dtype == np.float32 and output.data.shape == (1, 24, 23)
    values = output[output.roi]
    assert np.isfinite(values).all() and values.std() > 0
    assert "prediction written:" in result.stdout


def test_apply_uses_the_best_iteration_and_parameters(cli_run, tmp_path):
    result = invoke("apply", "-r", "cli", "-ic", cli_run.container, "-id", RAW, "-op",
                    tmp_path / "out", "-vd", DATASET, "-c", F1, "-w", "1")
    assert result.exit_code == 0, result.stderr
    container = tmp_path / "out" / "data.zarr"
    dataset = result.stdout.strip().rsplit(" dataset ", 1)[1].strip("'")
    assert dataset.startswith("output_cli_4_threshold_")
    output = ZarrArray.open_from_array_identifier(LocalArrayIdentifier(container, dataset))
    prediction = ZarrArray.open_from_array_identifier(
        LocalArrayIdentifier(container, "prediction_cli_4"))
    assert output.roi == prediction.roi and output.dtype == np.uint8
    assert set(np.unique(output[output.roi])) <= {0, 1}
    # both are recorded for the run, so 'dacapo view cli' lists them
    from dacapo.store.create_store import create_array_store
    from dacapo.view import run_layers

    records = [r for r in create_array_store().recorded_outputs("cli")
               if r.container == str(container)]
    assert [(r.kind, r.dataset, r.iteration) for r in records] == [
        ("prediction", "prediction_cli_4", 4), ("output", dataset, 4)]
    assert records[0].input == f"{cli_run.container}/{RAW}"
    assert records[1].input == f"{container}/prediction_cli_4"
    assert dataset.endswith(records[1].parameters)
    layers = {layer.name: layer.segmentation for layer in run_layers("cli")}
    assert layers["outputs/data/prediction_cli_4"] is False
    assert layers[f"outputs/data/{dataset}"] is True


def test_run_blockwise_thresholds_every_block(tmp_path):
    data = np.random.default_rng(2).random((20, 20, 20)).astype(np.float32)
    create_dataset(tmp_path / "data.zarr", "input", data, voxel_size=(2, 2, 2))
    result = invoke("run-blockwise", "-ic", tmp_path / "data.zarr", "-id", "input", "-oc",
                    tmp_path / "out.zarr", "-od", "mask", "-w", threshold_worker.__file__,
                    "-rr", "[8,8,8]", "-wr", "[8,8,8]", "-nw", "1", "--threshold", "0.7")
    assert result.exit_code == 0, result.stderr
    mask = read(LocalArrayIdentifier(tmp_path / "out.zarr", "mask"))
    np.testing.assert_array_equal(mask, (data > 0.7).astype(np.uint8))


def test_segment_blockwise_joins_objects_across_blocks(tmp_path):
    labels = np.zeros((24, 24, 24), np.uint64)
    labels[1:11, 2:22, 2:22], labels[13:23, 2:22, 2:22] = 1, 2  # each crosses 4+ blocks
    affinities = seg_to_affgraph(labels, watershed_function.default_parameters["offsets"])
    create_dataset(tmp_path / "data.zarr", "affs", affinities.astype(np.float32), channels=3)
    result = invoke("segment-blockwise", "-ic", tmp_path / "data.zarr", "-id", "affs", "-oc",
                    tmp_path / "data.zarr", "-od", "segmentation", "-sf",
                    watershed_function.__file__, "-rr", "[10,10,10]", "-wr", "[8,8,8]",
                    "-nw", "1", "--bias", "0.5")
    assert result.exit_code == 0, result.stderr
    segmentation = read(LocalArrayIdentifier(tmp_path / "data.zarr", "segmentation"))
    assert segmentation.dtype == np.uint64
    ids = np.unique(segmentation)
    assert len(ids) == 3 and ids[0] == 0
    for label in (1, 2):  # one id for each object, exactly where it is
        found = np.unique(segmentation[labels == label])
        assert len(found) == 1 and (segmentation == found[0]).sum() == (labels == label).sum()
