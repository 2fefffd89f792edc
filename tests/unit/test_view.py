"""``dacapo.view``: the viewer on a trained run serves its datasplit, snapshots,
validation outputs and given arrays, each at its voxel size and offset."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
import zarr

from dacapo.errors import ArrayNotFoundError, ConfigError, DacapoError
from dacapo.view import NeuroglancerRunViewer, ViewArray, run_layers, view
from tests._validation_runs import distance_run_config, synthetic_container
from tests._viewer_http import metres, served_chunk, served_info, served_state
from tests.conftest import write_zarr

RUN = "viewed"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Options file of a runs dir holding run 'viewed': 2D, voxel size 4,
    snapshots at iterations 0 and 1, validated at iteration 2."""
    from dacapo.experiments import Run
    from dacapo.store.create_store import create_config_store
    from dacapo.train import train_run

    base = tmp_path_factory.mktemp("viewed")
    options = base / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_base_dir": str(base / "runs")}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DACAPO_OPTIONS_FILE", str(options))
        config = distance_run_config(synthetic_container(base), name=RUN, num_iterations=2,
                                     validation_interval=2)
        config.trainer_config.snapshot_interval = 1
        create_config_store().store_run_config(config)
        train_run(Run(config))
    return options


@pytest.fixture
def run_dir(trained, monkeypatch) -> Path:
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(trained))
    return trained.parent / "runs" / RUN


def _attrs(array_dir: Path) -> dict:
    return json.loads((array_dir / ".zattrs").read_text())


def test_the_viewer_serves_every_array_of_the_run_at_its_place(run_dir):
    viewer = NeuroglancerRunViewer(RUN)
    ng_viewer = viewer.start()
    names = [layer.name for layer in ng_viewer.state.layers]
    data = [f"{role}/crop0/{key}" for role in ("train", "validate") for key in ("raw", "gt", "mask")]
    snapshot = [f"snapshot/1/{a}/{s}" for a in ("gt", "mask", "prediction", "raw", "target",
                                                "weight") for s in (0, 1)]
    # the criteria validation improved on (which ones depends on the scores)
    best = [f"best/crop0/{p.name}" for p in sorted((run_dir / "validation.zarr/crop0").iterdir())
            if (p / ".zarray").exists()]
    assert best and all(name.startswith("best/crop0/cell__") for name in best)
    assert names == data + snapshot + best + ["validation/2/crop0/prediction"]
    types = {layer.name: layer.type for layer in ng_viewer.state.layers}
    assert [n for n in names if types[n] == "segmentation"] == [
        "train/crop0/gt", "train/crop0/mask", "validate/crop0/gt", "validate/crop0/mask",
        "snapshot/1/gt/0", "snapshot/1/gt/1", "snapshot/1/mask/0", "snapshot/1/mask/1", *best]
    shown = [layer.name for layer in ng_viewer.state.layers if layer.visible]
    assert shown == ["validate/crop0/raw", "validate/crop0/gt", best[0]]
    state = ng_viewer.state.to_json()
    assert list(state["dimensions"]) == ["x", "y"]
    assert state["dimensions"] == {"y": pytest.approx(metres(4)), "x": pytest.approx(metres(4))}
    assert state["position"] == [24, 24]  # the centre of the 48² validation crop
    # each served volume sits where its metadata says, in voxels of its size
    for name, stored in (("snapshot/1/raw/1", "snapshot.zarr/1/volumes/raw/1"),
                         ("snapshot/1/target/0", "snapshot.zarr/1/volumes/target/0"),
                         (best[0], f"validation.zarr/{best[0][len('best/'):]}")):
        attrs, info = _attrs(run_dir / stored), served_info(ng_viewer, name)
        assert info["coordinateSpace"] == {"y": pytest.approx(metres(4)),
                                           "x": pytest.approx(metres(4))}
        assert [int(o) for o in info["voxelOffset"]] == [o // 4 for o in attrs["offset"]]
    assert served_info(ng_viewer, "snapshot/1/raw/1")["shape"] == [20, 20]
    # the 1-channel target and outputs are served as plain 2D volumes
    assert served_info(ng_viewer, "snapshot/1/target/0")["shape"] == [16, 16]
    assert served_info(ng_viewer, best[0])["shape"] == [48, 48]
    target = zarr.open_array(str(run_dir / "snapshot.zarr/1/volumes/target/0"), mode="r")
    np.testing.assert_array_equal(served_chunk(ng_viewer, "snapshot/1/target/0", (2, 3), (9, 16)),
                                  target[0, 2:9, 3:16])
    assert served_info(ng_viewer, "train/crop0/gt")["dataType"] == "uint64"


def test_a_browser_gets_the_same_layers_over_http(run_dir):
    viewer = view(RUN)
    state = served_state(viewer.viewer)
    assert [layer["name"] for layer in state["layers"]] == [layer.name for layer in viewer.layers]
    assert state["dimensions"]["x"] == pytest.approx(metres(4))


def test_an_iteration_picks_its_snapshot_and_validation_prediction(run_dir):
    names = [layer.name for layer in run_layers(RUN, iteration=0)]
    assert "snapshot/0/raw/0" in names and not any(n.startswith("snapshot/1") for n in names)
    assert not any(n.startswith("validation/") for n in names)
    assert "best/crop0/cell__voi" in names  # the best outputs are always there


def test_an_iteration_with_nothing_stored_is_refused(run_dir):
    with pytest.raises(ConfigError, match=r"run 'viewed' has no snapshot or validation output "
                       r"of iteration 7; stored iterations: 0, 1, 2"):
        run_layers(RUN, iteration=7)


def test_given_arrays_are_shown_alone_with_their_kinds(run_dir, tmp_path):
    container = tmp_path / "volume.zarr"
    write_zarr(container, "prediction_viewed_2", np.zeros((1, 8, 8), np.float32),
               voxel_size=(8, 8), offset=(16, 32), axes=["c", "y", "x"])
    write_zarr(container, "output_viewed_2_threshold", np.zeros((8, 8), np.uint8),
               voxel_size=(8, 8), offset=(16, 32))
    write_zarr(container, "raw", np.zeros((8, 8), np.uint8), voxel_size=(8, 8), offset=(16, 32))
    with pytest.raises(ConfigError, match=r"array '.*volume\.zarr' is not CONTAINER/DATASET"):
        run_layers(RUN, arrays=[ViewArray(container, "image")])
    arrays = [f"{container}/prediction_viewed_2", f"{container}/output_viewed_2_threshold",
              ViewArray(f"{container}/raw", "labels"), ViewArray(f"{container}/raw", "image")]
    layers = run_layers(RUN, arrays=arrays)
    given = [(layer.name, layer.segmentation) for layer in layers if layer.visible]
    assert given == [("prediction_viewed_2", False), ("output_viewed_2_threshold", True),
                     ("raw", True), ("raw (2)", False)]
    viewer = NeuroglancerRunViewer(RUN, arrays=arrays)
    viewer.start()
    # the centre (x, y) of the first given array, in the finest voxels (4 nm) of all layers
    assert list(viewer.viewer.state.position) == [(32 + 32) / 4, (16 + 32) / 4]
    assert served_info(viewer.viewer, "prediction_viewed_2")["voxelOffset"] == ["2", "4"]


@pytest.fixture
def recorded(run_dir, tmp_path):
    """Two outputs recorded for the run as predict and apply record them, in
    ``volume.zarr``; the records are removed afterwards."""
    import shutil

    from dacapo._array_identifiers import LocalArrayIdentifier as Id
    from dacapo._run_outputs import record_run_output

    container = tmp_path / "volume.zarr"
    write_zarr(container, "prediction_viewed_2", np.zeros((1, 8, 8), np.float32),
               voxel_size=(8, 8), offset=(16, 32), axes=["c", "y", "x"])
    write_zarr(container, "output_viewed_2_threshold", np.zeros((8, 8), np.uint8),
               voxel_size=(8, 8), offset=(16, 32))
    prediction = Id(container, "prediction_viewed_2")
    record_run_output(RUN, "prediction", prediction, 2, Id(tmp_path / "raw.zarr", "raw"))
    record_run_output(RUN, "output", Id(container, "output_viewed_2_threshold"), 2,
                      prediction, "threshold")
    yield container
    shutil.rmtree(run_dir / "outputs")


def test_outputs_recorded_by_predict_and_apply_are_listed_hidden(recorded):
    shown_before = [layer.name for layer in run_layers(RUN) if layer.visible]
    layers = run_layers(RUN)
    outputs = [(layer.name, layer.segmentation, layer.visible) for layer in layers
               if layer.name.startswith("outputs/")]
    assert outputs == [("outputs/volume/prediction_viewed_2", False, False),
                       ("outputs/volume/output_viewed_2_threshold", True, False)]
    assert [layer.name for layer in layers if layer.visible] == shown_before
    given = run_layers(RUN, arrays=[f"{recorded}/prediction_viewed_2"])
    names = [layer.name for layer in given]
    assert "prediction_viewed_2" in names  # given: shown, and not listed twice
    assert "outputs/volume/prediction_viewed_2" not in names
    assert "outputs/volume/output_viewed_2_threshold" in names


def test_a_recorded_output_deleted_since_is_left_out(recorded, caplog):
    import shutil

    shutil.rmtree(recorded / "output_viewed_2_threshold")
    with caplog.at_level("INFO", logger="dacapo._view_layers"):
        names = [layer.name for layer in run_layers(RUN)]
    assert "outputs/volume/prediction_viewed_2" in names
    assert "outputs/volume/output_viewed_2_threshold" not in names
    assert "output_viewed_2_threshold, recorded by the run, is not shown" in caplog.text


def test_an_output_that_cannot_be_recorded_only_warns(run_dir, tmp_path, monkeypatch, caplog):
    from dacapo._array_identifiers import LocalArrayIdentifier as Id
    from dacapo._run_outputs import record_run_output
    from dacapo.store.local_array_store import LocalArrayStore

    def refuse(self, run_name, record):
        raise PermissionError(13, "Permission denied", str(run_dir / "outputs"))

    monkeypatch.setattr(LocalArrayStore, "record_output", refuse)
    with caplog.at_level("WARNING"):
        record_run_output(RUN, "prediction", Id(tmp_path / "v.zarr", "p"), 1,
                          Id(tmp_path / "raw.zarr", "raw"))
    assert f"{tmp_path}/v.zarr/p was written but could not be recorded" in caplog.text
    assert "Permission denied" in caplog.text and "--prediction" in caplog.text


def test_given_arrays_must_exist_and_have_a_known_kind(run_dir, tmp_path):
    with pytest.raises(ArrayNotFoundError, match=r"container .*missing\.zarr does not exist"):
        run_layers(RUN, arrays=[f"{tmp_path}/missing.zarr/prediction"])
    write_zarr(tmp_path / "v.zarr", "raw", np.zeros((4, 4), np.uint8), voxel_size=(4, 4))
    with pytest.raises(ConfigError, match=r"kind 'mesh' is not one of auto, image, labels"):
        run_layers(RUN, arrays=[ViewArray(f"{tmp_path}/v.zarr/raw", "mesh")])


def test_a_run_config_or_run_object_works_as_well_as_a_name(run_dir):
    from dacapo.experiments import Run
    from dacapo.store.create_store import create_config_store

    config = create_config_store().retrieve_run_config(RUN)
    names = [layer.name for layer in run_layers(RUN)]
    assert [layer.name for layer in run_layers(config)] == names
    assert [layer.name for layer in run_layers(Run(config))] == names
    with pytest.raises(ConfigError, match=r"expected a run name, RunConfig or Run, got int"):
        run_layers(3)


def test_the_url_needs_a_started_viewer(run_dir):
    with pytest.raises(ConfigError, match=r"call start\(\) before asking for its url"):
        NeuroglancerRunViewer(RUN).url


def test_without_neuroglancer_the_error_names_the_viewer_extra(run_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "neuroglancer", None)  # ``import neuroglancer`` fails
    with pytest.raises(DacapoError, match=r"viewer of run 'viewed': .*not installed; install "
                       r"it with pip install 'dacapo-ml\[viewer\]'"):
        NeuroglancerRunViewer(RUN).start()
