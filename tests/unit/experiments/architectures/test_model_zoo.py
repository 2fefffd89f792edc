"""bioimage.io models as the network body.

bioimageio.core is an optional extra that is not installed for the tests: a
small stand-in module with the same entry points (``load_description`` and
``backends.pytorch_backend.load_torch_model``) plays its part.
"""

import sys
import types
from types import SimpleNamespace

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError, DacapoError
from dacapo.experiments.architectures import ModelZooConfig
from dacapo.experiments.architectures.model_zoo_architecture import ModelZooArchitecture
from dacapo.experiments.model import Model
from dacapo.store.converter import converter


def axis(kind, **fields):
    return SimpleNamespace(type=kind, **fields)


def tensor(channels, sizes, scale):
    names = [f"c{i}" for i in range(channels)]
    space = [axis("space", id=a, size=s, scale=scale) for a, s in zip("zyx", sizes)]
    return SimpleNamespace(axes=[axis("batch"), axis("channel", channel_names=names)] + space)


def description(inputs=None, outputs=None, weights="state dict"):
    """A model reading 1 channel at 8 nm and writing 2 channels at 4 nm."""
    parameterized = SimpleNamespace(min=12, step=4)
    return SimpleNamespace(
        type="model",
        inputs=inputs if inputs is not None else [tensor(1, [parameterized, 10, 10], 8.0)],
        outputs=outputs if outputs is not None else [tensor(2, [None, None, None], 4.0)],
        weights=SimpleNamespace(pytorch_state_dict=weights),
    )


@pytest.fixture
def zoo(monkeypatch):
    """A stand-in bioimageio.core; set ``zoo.description`` / ``zoo.error``."""
    state = SimpleNamespace(description=description(), error=None, sources=[])
    state.network = torch.nn.Conv3d(1, 2, 3)
    with torch.no_grad():
        state.network.weight.fill_(0.25)

    def load_description(source):
        state.sources.append(source)
        if state.error is not None:
            raise state.error
        return state.description

    def load_torch_model(weights, load_state=True, devices=None):
        assert weights == "state dict" and load_state
        return state.network

    modules = {
        name: types.ModuleType(name)
        for name in ("bioimageio", "bioimageio.core", "bioimageio.core.backends",
                     "bioimageio.core.backends.pytorch_backend")
    }
    modules["bioimageio"].core = modules["bioimageio.core"]
    modules["bioimageio.core"].load_description = load_description
    modules["bioimageio.core"].backends = modules["bioimageio.core.backends"]
    modules["bioimageio.core.backends"].pytorch_backend = modules[
        "bioimageio.core.backends.pytorch_backend"
    ]
    modules["bioimageio.core.backends.pytorch_backend"].load_torch_model = load_torch_model
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return state


def build(model_id, **fields):
    config = ModelZooConfig(name="zoo", model_id=model_id, **fields)
    return config.architecture_type(config)


def test_missing_bioimageio_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "bioimageio", None)
    monkeypatch.setitem(sys.modules, "bioimageio.core", None)
    with pytest.raises(DacapoError, match=r"pip install dacapo-ml\[bioimageio\]"):
        build("affable-shark")


@pytest.mark.parametrize("model_id", ["models/missing/rdf.yaml", "./model.zip", "/no/such/model"])
def test_missing_local_model(model_id):
    config = ModelZooConfig(name="zoo", model_id=model_id)
    assert config.verify()[0] is False
    with pytest.raises(ConfigError, match=f"model file '{model_id}' does not exist"):
        config.architecture_type(config)


def test_folder_without_a_description(tmp_path):
    with pytest.raises(ConfigError, match="holds no model description"):
        ModelZooConfig(name="zoo", model_id=str(tmp_path)).validate()


def test_remote_id_without_network(zoo):
    zoo.error = ConnectionError("Name or service not known")
    with pytest.raises(
        DacapoError,
        match=r"could not load the bioimage.io model 'affable-shark' \(ConnectionError: Name "
        r"or service not known\); a remote id or URL needs network access",
    ):
        build("affable-shark")
    assert zoo.sources == ["affable-shark"]


def test_invalid_description(zoo):
    zoo.description = SimpleNamespace(type=None, validation_summary="3 errors")
    with pytest.raises(DacapoError, match=r"'affable-shark' is not a valid bioimage.io model .*3 errors"):
        build("affable-shark")


def test_local_model_folder(zoo, tmp_path):
    (tmp_path / "rdf.yaml").write_text("type: model\n")
    architecture = build(str(tmp_path))
    assert zoo.sources == [tmp_path / "rdf.yaml"]
    assert isinstance(architecture, ModelZooArchitecture)
    # the minimum of the parameterised size (12) and the fixed sizes
    assert architecture.input_shape == Coordinate(12, 10, 10)
    assert (architecture.num_in_channels, architecture.num_out_channels) == (1, 2)
    # output axis scale 4 / input axis scale 8
    assert architecture.scale(Coordinate(8, 8, 8)) == Coordinate(4, 4, 4)
    model = Model(architecture, torch.nn.Conv3d(2, 1, 1))
    assert torch.all(zoo.network.weight == 0.25)  # pretrained weights kept
    assert model.output_shape == Coordinate(10, 8, 8)
    assert all(p.requires_grad for p in architecture.parameters())


def test_trainable_layers(zoo, tmp_path):
    (tmp_path / "model.zip").write_bytes(b"")
    architecture = build(str(tmp_path / "model.zip"), trainable_layers="bias")
    flags = {name: p.requires_grad for name, p in architecture.module.named_parameters()}
    assert flags == {"weight": False, "bias": True}


def test_invalid_trainable_layers():
    with pytest.raises(
        ConfigError,
        match=r"ModelZooConfig 'zoo': `trainable_layers` must be a valid regular .*, got '\('",
    ):
        ModelZooConfig(name="zoo", model_id="affable-shark", trainable_layers="(")


def test_scale_must_stay_integral(zoo):
    architecture = build("affable-shark")
    with pytest.raises(ConfigError, match=r"voxel size \(8, 8, 5\) times .* not integral"):
        architecture.scale(Coordinate(8, 8, 5))


@pytest.mark.parametrize(
    "model, message",
    [
        (description(inputs=[tensor(1, [8, 8, 8], 1.0)] * 2), "the model has 2 input tensors"),
        (description(outputs=[]), "the model has 0 output tensors"),
        (
            description(inputs=[SimpleNamespace(axes=[axis("batch"), axis("space"), axis("channel")])]),
            r"the input tensor has axes \['batch', 'space', 'channel'\]",
        ),
        (description(outputs=[tensor(2, [None, None], 4.0)]), "the input has 3 space axes but the output 2"),
        (
            description(inputs=[tensor(1, [8, SimpleNamespace(tensor_id="raw"), 8], 1.0)]),
            "input axis 'y' has size .*needs a fixed size or a \\(min, step\\) size",
        ),
        (description(weights=None), "has no pytorch_state_dict weights"),
    ],
)
def test_unsupported_models(zoo, model, message):
    zoo.description = model
    with pytest.raises(ConfigError, match=message):
        build("affable-shark")


def test_bioimageio_without_the_pytorch_backend(zoo, monkeypatch):
    monkeypatch.setitem(sys.modules, "bioimageio.core.backends.pytorch_backend", None)
    with pytest.raises(DacapoError, match="installed bioimageio.core is too old"):
        build("affable-shark")


def test_round_trip():
    config = ModelZooConfig(name="zoo", model_id="affable-shark", trainable_layers="head")
    data = converter.unstructure(config)
    assert data == {"__type__": "ModelZooConfig", "name": "zoo",
                    "model_id": "affable-shark", "trainable_layers": "head"}
    assert converter.structure(data, ModelZooConfig) == config
