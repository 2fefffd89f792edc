"""bioimage.io export: the package validates offline with bioimageio.core, and
``ModelZooConfig`` loads it back predicting what the run's checkpoint predicts."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from io import BytesIO
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import yaml
from funlib.geometry import Coordinate

from dacapo._inference_setup import load_model
from dacapo.bioimageio_export import save_bioimage_io_model, verify_bioimage_io_model
from dacapo.errors import ArrayNotFoundError, ConfigError, DacapoError, NoSuchCheckpointError
from dacapo.experiments.architectures import CNNectomeUNetConfig, ModelZooConfig
from tests._bioimageio import ITERATION, offline_bioimageio, store_tiny_run

DACAPO_DOI = "10.48550/arXiv.2408.02834"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The tiny run (data with 8 nm voxels) exported at ITERATION through
    ``RunConfig.save_bioimage_io_model``."""
    tmp_path = tmp_path_factory.mktemp("exported")
    with pytest.MonkeyPatch.context() as monkeypatch:
        options = tmp_path / "dacapo.yaml"
        options.write_text(yaml.safe_dump({"runs_base_dir": str(tmp_path / "runs")}))
        monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
        tried = offline_bioimageio(monkeypatch, tmp_path / "cache")
        config = store_tiny_run(tmp_path)
        path = config.save_bioimage_io_model(
            tmp_path / "out" / "tiny.zip", ["Jane Doe", {"name": "Joe Bloggs",
                                                         "affiliation": "Lab"}],
            cite=["10.1000/xyz123"], checkpoint=ITERATION,
        )
        model = load_model(config, ITERATION).eval()
    assert tried == []  # no network
    return path, model


def _member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _rdf(path):
    return yaml.safe_load(_member(path, "rdf.yaml"))


def _npy(path, name):
    return np.load(BytesIO(_member(path, name)))


def test_package_validates_offline(exported, monkeypatch, tmp_path):
    from bioimageio.core import load_description

    tried = offline_bioimageio(monkeypatch, tmp_path / "cache")
    description = load_description(exported[0])
    assert description.type == "model"
    assert description.validation_summary.status == "valid-format"
    # bioimageio.core.test_model: format, test outputs reproduced, every size n = 0..2
    summary = verify_bioimage_io_model(exported[0])
    assert summary.status == "passed"
    assert any("Reproduce test outputs" in detail.name for detail in summary.details)
    assert tried == []


def test_axes_voxel_sizes_and_channel_names(exported):
    rdf = _rdf(exported[0])
    (raw,), (prediction,) = rdf["inputs"], rdf["outputs"]
    assert [a["type"] for a in raw["axes"]] == ["batch", "channel", "space", "space", "space"]
    assert raw["axes"][1]["channel_names"] == ["raw"]
    for axis, name in zip(raw["axes"][2:], "zyx"):
        # 18 is the smallest input of the U-Net, and it takes every second size above
        assert axis == {"id": name, "type": "space", "size": {"min": 18, "step": 2},
                        "scale": 8.0, "unit": "nanometer"}
    assert prediction["axes"][1]["channel_names"] == ["cell"]
    for axis, name in zip(prediction["axes"][2:], "zyx"):
        # valid convolutions crop 8 voxels a side
        assert axis["size"] == {"tensor_id": "raw", "axis_id": name, "offset": -16}
        assert (axis["scale"], axis["unit"]) == (8.0, "nanometer")
    assert _npy(exported[0], "test_input.npy").shape == (1, 1, 28, 28, 28)
    assert _npy(exported[0], "test_output.npy").shape == (1, 1, 12, 12, 12)


def test_weights_authors_license_and_documentation(exported):
    path = exported[0]
    rdf = _rdf(path)
    weights = rdf["weights"]["pytorch_state_dict"]
    assert weights["sha256"] == hashlib.sha256(_member(path, "weights.pt")).hexdigest()
    architecture = weights["architecture"]
    assert (architecture["import_from"], architecture["callable"]) == (
        "dacapo.experiments.bioimageio_network", "BioImageIONetwork")
    assert architecture["kwargs"]["task_config"]["__type__"] == "DistanceTaskConfig"
    assert [a["name"] for a in rdf["authors"]] == ["Jane Doe", "Joe Bloggs"]
    assert rdf["license"] == "MIT"
    assert [c.get("doi") for c in rdf["cite"]] == ["10.1000/xyz123", DACAPO_DOI]
    assert {"dacapo", "distance", "pytorch", "3d"} <= set(rdf["tags"])
    assert f"iteration {ITERATION}" in rdf["description"]
    assert "## Validation" in _member(path, "README.md").decode()


def test_test_output_is_what_dacapo_predicts(exported):
    path, model = exported
    with torch.no_grad():
        expected = model(torch.from_numpy(_npy(path, "test_input.npy"))).numpy()
    np.testing.assert_array_equal(_npy(path, "test_output.npy"), expected)


def test_model_zoo_config_loads_the_package_back(exported, monkeypatch, tmp_path):
    path, model = exported
    offline_bioimageio(monkeypatch, tmp_path / "cache")
    config = ModelZooConfig(name="zoo", model_id=str(path))
    architecture = config.architecture_type(config)
    assert architecture.input_shape == Coordinate(18, 18, 18)
    assert (architecture.num_in_channels, architecture.num_out_channels) == (1, 1)
    assert architecture.scale(Coordinate(8, 8, 8)) == Coordinate(8, 8, 8)
    x = torch.rand((2, 1, 22, 28, 24), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = model(x)
        # the eval activation applies in training mode too: a fixed function as a body
        for mode in (True, False):
            torch.testing.assert_close(architecture.train(mode)(x), expected, rtol=0, atol=1e-6)


def test_latest_checkpoint_of_a_run_named_without_its_data(runs_base_dir, tmp_path):
    config = store_tiny_run(tmp_path, data=False, iterations=(2, 5))
    path = save_bioimage_io_model("tiny", tmp_path / "m.zip", "Jane Doe",
                                  checkpoint="latest", in_voxel_size=(4, 4, 4))
    rdf = _rdf(path)
    assert "iteration 5" in rdf["description"]
    axis = rdf["inputs"][0]["axes"][2]
    assert (axis["scale"], axis.get("unit")) == (4.0, None)  # no data: no unit
    model = load_model(config, 5).eval()
    with torch.no_grad():
        expected = model(torch.from_numpy(_npy(path, "test_input.npy"))).numpy()
    np.testing.assert_array_equal(_npy(path, "test_output.npy"), expected)


def test_untrained_model_and_given_test_images(runs_base_dir, tmp_path, monkeypatch):
    tested = []
    monkeypatch.setattr("dacapo.bioimageio_export.verify_bioimage_io_model", tested.append)
    config = store_tiny_run(tmp_path, data=False, iterations=())
    np.save(tmp_path / "in.npy", np.full((22, 22, 22), 0.5, dtype=np.float32))
    path = save_bioimage_io_model(config, tmp_path / "m.zip", ["Jane Doe"],
                                  input_test_image_path=tmp_path / "in.npy",
                                  in_voxel_size=(8, 8, 8), test_saved_model=True)
    assert tested == [path]
    inputs = _npy(path, "test_input.npy")
    assert inputs.shape == (1, 1, 22, 22, 22) and inputs.dtype == np.float32
    with torch.no_grad():  # checkpoint None: the fresh model predict uses
        expected = load_model(config, 0).eval()(torch.from_numpy(inputs)).numpy()
    np.testing.assert_array_equal(_npy(path, "test_output.npy"), expected)
    assert "iteration 0" in _rdf(path)["description"]


def test_architecture_alone(runs_base_dir, tmp_path, monkeypatch):
    offline_bioimageio(monkeypatch, tmp_path / "cache")
    torch.manual_seed(1)  # weights as built whose output (after a ReLU) is not all 0
    unet = CNNectomeUNetConfig("body", input_shape=(20, 20, 20), fmaps_out=3, fmaps_in=2,
                               num_fmaps=4, fmap_inc_factor=2, downsample_factors=[(2, 2, 2)])
    path = unet.save_bioimage_io_model(tmp_path / "body.zip", ["Jane Doe"])
    rdf = _rdf(path)
    assert rdf["inputs"][0]["axes"][1]["channel_names"] == ["raw0", "raw1"]
    assert rdf["outputs"][0]["axes"][1]["channel_names"] == ["c0", "c1", "c2"]
    assert rdf["inputs"][0]["axes"][2]["scale"] == 1.0
    config = ModelZooConfig(name="zoo", model_id=str(path))
    body = config.architecture_type(config).eval()
    with torch.no_grad():
        predicted = body(torch.from_numpy(_npy(path, "test_input.npy"))).numpy()
    np.testing.assert_allclose(predicted, _npy(path, "test_output.npy"), atol=1e-6)


def test_a_package_that_fails_the_model_test(monkeypatch):
    import bioimageio.core

    failed = SimpleNamespace(name="Reproduce test outputs from test inputs", status="failed",
                             errors=[SimpleNamespace(msg="max difference 7.0")])
    summary = SimpleNamespace(status="failed", details=[
        SimpleNamespace(name="format", status="passed", errors=[]), failed])
    monkeypatch.setattr(bioimageio.core, "test_model", lambda source: summary)
    with pytest.raises(DacapoError, match=r"package 'm.zip' fails bioimageio.core's model test: "
                       r"Reproduce test outputs from test inputs: max difference 7.0$"):
        verify_bioimage_io_model("m.zip")


# ----------------------------------------------------------------- errors ---


@pytest.fixture
def tiny(runs_base_dir, tmp_path):
    """The tiny run without data, with weights of ITERATION."""
    return store_tiny_run(tmp_path, data=False)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"path": "model.tar"}, ConfigError, r"the package path must be a .zip file, got 'model.tar'"),
    ({"checkpoint": "best"}, ConfigError, r"checkpoint must be an iteration .*, got 'best'"),
    ({"checkpoint": -1}, ConfigError, r"checkpoint must be an iteration"),
    ({"checkpoint": 7}, NoSuchCheckpointError,
     r"run 'tiny' has no checkpoint of iteration 7 \(latest stored: 3\)"),
    ({"authors": []}, ConfigError, r"authors is empty; name at least one author"),
    ({"in_voxel_size": None}, ConfigError,
     r"cannot read the input voxel size from its training data \(.*unused.zarr.*\); pass "
     r"in_voxel_size"),
    ({"in_voxel_size": (8, 8)}, ConfigError, r"in_voxel_size must be 3 whole numbers > 0 .*"
     r"got \[8, 8\]"),
    ({"license": "NO-SUCH-LICENSE"}, ConfigError, r"bioimageio.spec rejects the model "
     r"description .*license"),
    ({"cite": ["the DaCapo paper"]}, ConfigError, r"citation 'the DaCapo paper' is neither a DOI"),
    ({"authors": ["Jane/Doe"]}, ConfigError, r"rejects the model description .*authors"),
])
def test_bad_arguments(tiny, tmp_path, kwargs, error, message):
    arguments = {"path": tmp_path / "m.zip", "authors": ["Jane Doe"], "checkpoint": ITERATION,
                 "in_voxel_size": (8, 8, 8), **kwargs}
    with pytest.raises(error, match=message):
        save_bioimage_io_model(tiny, **arguments)
    assert not (tmp_path / "m.zip").exists()


def test_latest_without_checkpoints(runs_base_dir, tmp_path):
    config = store_tiny_run(tmp_path, data=False, iterations=())
    with pytest.raises(NoSuchCheckpointError, match=r"run 'tiny' has no checkpoints, so there "
                       r"is no latest one"):
        save_bioimage_io_model(config, tmp_path / "m.zip", ["Jane Doe"], checkpoint="latest")


def test_not_a_run():
    with pytest.raises(ConfigError, match=r"expected a RunConfig or a run name, got int 3"):
        save_bioimage_io_model(3, "m.zip", ["Jane Doe"])


@pytest.mark.parametrize("data, error, message", [
    (np.zeros((21, 22, 22)), ConfigError,
     r"input_test_image_path .* has spatial shape \(21, 22, 22\), which the network cannot "
     r"take; valid sizes per axis are z: 18 \+ n\*2, y: 18 \+ n\*2, x: 18 \+ n\*2"),
    (np.zeros((2, 22, 22, 22)), ConfigError, r"has 2 channels .*the network reads 1"),
    (np.zeros((22, 22)), ConfigError, r"has shape \(22, 22\); expected 3 spatial axes"),
    (None, ArrayNotFoundError, r"input_test_image_path '.*in.npy' does not exist"),
    (b"not numpy", ConfigError, r"input_test_image_path '.*in.npy' is not a numpy .npy array"),
])
def test_bad_input_test_images(tiny, tmp_path, data, error, message):
    if isinstance(data, bytes):
        (tmp_path / "in.npy").write_bytes(data)
    elif data is not None:
        np.save(tmp_path / "in.npy", data)
    with pytest.raises(error, match=message):
        save_bioimage_io_model(tiny, tmp_path / "m.zip", ["Jane Doe"], checkpoint=ITERATION,
                               in_voxel_size=(8, 8, 8), input_test_image_path=tmp_path / "in.npy")


def test_output_test_image_of_the_wrong_shape(tiny, tmp_path):
    np.save(tmp_path / "out.npy", np.zeros((1, 1, 10, 10, 10), dtype=np.float32))
    with pytest.raises(ConfigError, match=r"output_test_image_path .* has shape \(1, 1, 10, 10, "
                       r"10\), but the network predicts \(1, 1, 12, 12, 12\)"):
        save_bioimage_io_model(tiny, tmp_path / "m.zip", ["Jane Doe"], checkpoint=ITERATION,
                               in_voxel_size=(8, 8, 8), output_test_image_path=tmp_path / "out.npy")


def test_an_output_too_close_to_zero_to_test(tiny, tmp_path):
    np.save(tmp_path / "out.npy", np.zeros((1, 1, 12, 12, 12), dtype=np.float32))
    with pytest.raises(ConfigError, match=r"output_test_image_path .* lies within \+-0.0001 "
                       r"everywhere, too close to 0 for bioimage.io to test the package"):
        save_bioimage_io_model(tiny, tmp_path / "m.zip", ["Jane Doe"], checkpoint=ITERATION,
                               in_voxel_size=(8, 8, 8), output_test_image_path=tmp_path / "out.npy")


def test_an_architecture_has_no_checkpoints(tmp_path):
    unet = CNNectomeUNetConfig("body", input_shape=(20, 20, 20), fmaps_out=3, fmaps_in=1,
                               num_fmaps=2, fmap_inc_factor=2, downsample_factors=[(2, 2, 2)])
    with pytest.raises(ConfigError, match=r"architecture 'body': an architecture has no "
                       r"checkpoints \(got checkpoint=5\)"):
        unet.save_bioimage_io_model(tmp_path / "m.zip", ["Jane Doe"], checkpoint=5)


def test_without_bioimageio(monkeypatch, tmp_path):
    for name in ("bioimageio.spec", "bioimageio.spec.model", "bioimageio.spec.model.v0_5",
                 "bioimageio.core"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(DacapoError, match=r"needs the optional package bioimageio.spec .*"
                       r"pip install dacapo-ml\[bioimageio\]"):
        save_bioimage_io_model("tiny", tmp_path / "m.zip", ["Jane Doe"])
    with pytest.raises(DacapoError, match=r"needs the optional package bioimageio.core"):
        verify_bioimage_io_model(tmp_path / "m.zip")
