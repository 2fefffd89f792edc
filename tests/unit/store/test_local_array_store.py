"""LocalArrayStore: where a run's arrays live, and safe removal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.store.local_array_store import (
    LocalArrayIdentifier,
    LocalArrayStore,
    LocalContainerIdentifier,
)


@pytest.fixture
def store(tmp_path):
    return LocalArrayStore(tmp_path)


def test_containers(store, tmp_path):
    assert store.snapshot_container("run") == LocalContainerIdentifier(
        tmp_path / "run" / "snapshot.zarr"
    )
    assert store.validation_container("run").container == tmp_path / "run" / "validation.zarr"


def test_validation_arrays(store, tmp_path):
    container = tmp_path / "run" / "validation.zarr"
    raw, gt = store.validation_input_arrays("run", "crop_1")
    assert raw == LocalArrayIdentifier(container, "inputs/crop_1/raw")
    assert gt == LocalArrayIdentifier(container, "inputs/crop_1/gt")
    assert store.validation_prediction_array("run", 100, "crop_1") == LocalArrayIdentifier(
        container, "100/crop_1/prediction"
    )
    output = store.validation_output_array("run", 100, "threshold_0.5", "crop_1")
    assert output == LocalArrayIdentifier(container, "100/crop_1/output/threshold_0.5")
    assert store.best_validation_array("run", "voi").dataset == "voi"
    assert store.best_validation_array("run", "voi", index="crop_1").dataset == "crop_1/voi"


def test_output_array_uses_str_of_parameters(store):
    class Parameters:
        def __str__(self):
            return "bias_0.25"

    output = store.validation_output_array("run", 5, Parameters(), "crop")
    assert output.dataset == "5/crop/output/bias_0.25"


@pytest.mark.parametrize("name", ["", "a/b", ".."], ids=repr)
def test_bad_names_are_rejected(store, name):
    with pytest.raises(ConfigError, match="run name"):
        store.validation_container(name)
    with pytest.raises(ConfigError, match="dataset name"):
        store.validation_input_arrays("run", name)
    with pytest.raises(ConfigError, match="dataset name"):
        store.validation_prediction_array("run", 1, name)
    with pytest.raises(ConfigError, match="criterion name"):
        store.best_validation_array("run", name)


def test_remove_an_array_keeps_its_siblings(store, make_zarr):
    raw, gt = store.validation_input_arrays("run", "crop")
    make_zarr(raw.container, raw.dataset, np.zeros((2, 2, 2), dtype=np.uint8))
    make_zarr(gt.container, gt.dataset, np.ones((2, 2, 2), dtype=np.uint8))
    store.remove(raw)
    assert not (Path(raw.container) / "inputs" / "crop" / "raw").exists()
    assert (Path(gt.container) / "inputs" / "crop" / "gt").is_dir()
    store.remove(raw)  # already gone: nothing happens


def test_remove_a_container(store, make_zarr):
    container = store.snapshot_container("run")
    make_zarr(container.container, "volumes/raw", np.zeros((2, 2, 2), dtype=np.uint8))
    store.remove(container)
    assert not Path(container.container).exists()


def test_remove_refuses_non_containers(store, tmp_path):
    keep = tmp_path / "important"
    (keep / "data").mkdir(parents=True)
    with pytest.raises(
        ConfigError, match=r"refusing to delete from .*important: it is not a zarr/N5"
    ):
        store.remove(LocalArrayIdentifier(keep, "data"))
    with pytest.raises(ConfigError, match="not a zarr/N5 container"):
        store.remove(LocalContainerIdentifier(keep))
    assert (keep / "data").is_dir()


@pytest.mark.parametrize("dataset", ["", "/", "../other", "a/../../b", "a//b"])
def test_remove_refuses_paths_leaving_the_container(store, tmp_path, dataset):
    container = tmp_path / "run" / "validation.zarr"
    container.mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"must be a non-empty path inside the container"):
        store.remove(LocalArrayIdentifier(container, dataset))
    assert container.is_dir()


def test_n5_containers_can_be_removed_from(store, tmp_path):
    dataset = tmp_path / "out.n5" / "volumes" / "raw"
    dataset.mkdir(parents=True)
    store.remove(LocalArrayIdentifier(tmp_path / "out.n5", "volumes/raw"))
    assert not dataset.exists()


def _record(dataset="prediction_run_3", iteration=3, written="2026-11-27T10:00:00+00:00",
            kind="prediction"):
    from dacapo.store.output_record import OutputRecord

    return OutputRecord(kind, "/data/out/volume.zarr", dataset, iteration,
                        "/data/volume.zarr/raw", None, written)


def test_recorded_outputs_come_back_oldest_first_and_per_run(store, tmp_path):
    assert store.recorded_outputs("run") == []
    later = _record("output_run_3_threshold_0.5", kind="output",
                    written="2026-11-27T11:00:00+00:00")
    store.record_output("run", later)
    store.record_output("run", _record())
    assert store.recorded_outputs("run") == [_record(), later]
    assert store.recorded_outputs("other") == []
    assert len(list((tmp_path / "run" / "outputs").glob("*.json"))) == 2


def test_recording_the_same_array_again_replaces_its_record(store):
    store.record_output("run", _record(iteration=3))
    store.record_output("run", _record(iteration=7, written="2026-11-28T10:00:00+00:00"))
    assert [r.iteration for r in store.recorded_outputs("run")] == [7]


def test_a_damaged_record_is_skipped_with_a_warning(store, tmp_path, caplog):
    store.record_output("run", _record())
    folder = tmp_path / "run" / "outputs"
    (folder / "broken.json").write_text('{"kind": "prediction", "container"')
    (folder / "foreign.json").write_text('{"what": 1}')
    with caplog.at_level("WARNING"):
        assert store.recorded_outputs("run") == [_record()]
    assert "broken.json" in caplog.text
    assert "foreign.json: not a record of a run's output" in caplog.text


def test_a_record_of_something_else_names_the_file_and_the_fix():
    from dacapo.errors import StoreError
    from dacapo.store.output_record import OutputRecord

    with pytest.raises(StoreError, match=r"r\.json: not a record of a run's output .*delete it"):
        OutputRecord.from_dict({"kind": "checkpoint", "container": "c", "dataset": "d",
                                "iteration": 1, "input": "i"}, "r.json")
    assert _record().path == "/data/out/volume.zarr/prediction_run_3"
