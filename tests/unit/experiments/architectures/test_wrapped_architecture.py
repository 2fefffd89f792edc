"""A bring-your-own torch module: weights kept, loading from files, freezing."""

import logging

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import WrappedArchitecture, WrappedArchitectureConfig
from dacapo.experiments.model import Model
from dacapo.store.config_store import _check_storable
from dacapo.store.converter import converter
from dacapo.store.file_config_store import FileConfigStore


def pretrained_network() -> torch.nn.Sequential:
    """conv (1 -> 2 channels) - ReLU - conv (2 -> 3 channels), known weights."""
    network = torch.nn.Sequential(
        torch.nn.Conv3d(1, 2, 3), torch.nn.ReLU(), torch.nn.Conv3d(2, 3, 1)
    )
    with torch.no_grad():
        for index, parameter in enumerate(network.parameters()):
            parameter.fill_(0.1 * (index + 1))
    return network


def wrapped(module, **overrides) -> WrappedArchitectureConfig:
    fields = dict(name="wrapped", module=module, fmaps_in=1, fmaps_out=3,
                  input_shape=Coordinate(10, 10, 10))
    fields.update(overrides)
    return WrappedArchitectureConfig(**fields)


def test_pretrained_weights_are_preserved_by_model():
    network = pretrained_network()
    expected = {k: v.clone() for k, v in network.state_dict().items()}
    config = wrapped(network)
    architecture = config.architecture_type(config)
    assert isinstance(architecture, WrappedArchitecture)
    model = Model(architecture, torch.nn.Conv3d(3, 1, 1))
    for name, value in network.state_dict().items():
        assert torch.equal(value, expected[name]), name
    # the 3x3x3 convolution removes 2 voxels per axis
    assert (model.num_out_channels, model.output_shape) == (1, Coordinate(8, 8, 8))


def test_by_default_every_parameter_stays_trainable():
    config = wrapped(pretrained_network())
    architecture = config.architecture_type(config)
    assert all(p.requires_grad for p in architecture.parameters())


def test_regex_keeps_matching_parameters_trainable_and_freezes_the_rest():
    config = wrapped(pretrained_network(), trainable_parameters=r"^2\.")
    architecture = config.architecture_type(config)
    flags = {name: p.requires_grad for name, p in architecture.module.named_parameters()}
    assert flags == {"0.weight": False, "0.bias": False, "2.weight": True, "2.bias": True}
    architecture(torch.rand(1, 1, 4, 4, 4)).sum().backward()
    assert architecture.module[0].weight.grad is None
    assert architecture.module[2].weight.grad is not None


def test_regex_that_matches_nothing_is_an_error():
    config = wrapped(pretrained_network(), trainable_parameters="decoder")
    with pytest.raises(
        ConfigError, match=r"pattern 'decoder' matches none of the 4 parameters \(0.weight, "
    ):
        config.architecture_type(config)


def test_invalid_regex():
    message = r"WrappedArchitectureConfig 'wrapped': `trainable_parameters` must be a valid "
    message += r"regular expression .*, got 'conv\['; "
    with pytest.raises(ConfigError, match=message):
        wrapped(pretrained_network(), trainable_parameters="conv[")
    config = wrapped(pretrained_network())
    config.trainable_parameters = "conv["  # changed after it was made: validate() checks again
    assert config.verify()[0] is False
    with pytest.raises(ConfigError, match=message):
        config.validate()


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_torchscript_file(tmp_path):
    path = tmp_path / "network.pt"
    torch.jit.script(pretrained_network()).save(str(path))
    config = wrapped(str(path))
    architecture = config.architecture_type(config)
    Model(architecture, torch.nn.Conv3d(3, 1, 1))
    assert torch.all(architecture.module.state_dict()["0.weight"] == 0.1)
    assert architecture(torch.zeros(1, 1, 3, 3, 3)).shape == (1, 3, 1, 1, 1)


def test_module_saved_with_torch_save(tmp_path, caplog):
    path = tmp_path / "network.pth"
    torch.save(pretrained_network(), path)
    config = wrapped(path)
    with caplog.at_level(logging.WARNING):
        architecture = config.architecture_type(config)
    assert "only load files you trust" in caplog.text
    assert torch.all(architecture.module[2].bias == 0.4)


def test_state_dict_file_is_not_a_module(tmp_path):
    path = tmp_path / "weights.pth"
    torch.save(pretrained_network().state_dict(), path)
    config = wrapped(path)
    with pytest.raises(ConfigError, match="holds a OrderedDict, not a torch module"):
        config.architecture_type(config)


def test_unreadable_file(tmp_path):
    path = tmp_path / "network.pt"
    path.write_text("not a torch file")
    config = wrapped(path)
    with pytest.raises(ConfigError, match="cannot load a torch module from"):
        config.architecture_type(config)


def test_missing_file(tmp_path):
    config = wrapped(tmp_path / "missing.pt")
    assert config.verify()[0] is False
    with pytest.raises(ConfigError, match=r"module file '.*missing.pt' does not exist"):
        config.architecture_type(config)


def test_module_must_be_a_torch_module_or_a_path():
    with pytest.raises(ConfigError, match="must be a torch.nn.Module or a file path, got int 42"):
        wrapped(42).validate()
    config = wrapped(lambda x: x)
    with pytest.raises(ConfigError, match="module must be a torch.nn.Module, got function"):
        config.architecture_type(config)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"fmaps_in": 0}, "fmaps_in must be a positive integer, got 0"),
        ({"scale": Coordinate(2, 2)}, r"scale \(2, 2\) has 2 dimensions, input_shape"),
        ({"eval_shape_increase": Coordinate(2, 2)}, r"eval_shape_increase \(2, 2\) has 2"),
        ({"input_shape": Coordinate(10, 0, 10)},
         r"'wrapped': `input_shape` must be integers >= 1, one per axis, got \(10, 0, 10\)"),
        ({"scale": Coordinate(2, -1, 2)}, r"`scale` must be integers >= 1, .*got \(2, -1, 2\)"),
        ({"eval_shape_increase": Coordinate(0, -8, 0)},
         r"`eval_shape_increase` must be integers >= 0, one per axis, got \(0, -8, 0\)"),
    ],
)
def test_invalid_fields_are_refused_when_made(overrides, message):
    with pytest.raises(ConfigError, match=message):
        wrapped(pretrained_network(), **overrides)


def test_a_wrong_type_is_refused_when_made():
    with pytest.raises(ConfigError, match=r"`fmaps_out` must be an integer, got '3'"):
        wrapped(pretrained_network(), fmaps_out="3")


def test_scale_and_eval_shape_increase():
    config = wrapped(
        pretrained_network(), scale=Coordinate(1, 2, 2), eval_shape_increase=Coordinate(4, 4, 4)
    )
    architecture = config.architecture_type(config)
    assert architecture.scale(Coordinate(8, 8, 8)) == Coordinate(8, 4, 4)
    assert architecture.eval_shape_increase == Coordinate(4, 4, 4)
    with pytest.raises(ConfigError, match=r"voxel size \(8, 3, 8\) is not divisible by scale"):
        architecture.scale(Coordinate(8, 3, 8))
    plain = wrapped(pretrained_network())
    plain_architecture = plain.architecture_type(plain)
    assert plain_architecture.scale(Coordinate(8, 8, 8)) == Coordinate(8, 8, 8)
    assert plain_architecture.eval_shape_increase == Coordinate(0, 0, 0)


def test_config_with_a_path_round_trips(tmp_path):
    config = wrapped(tmp_path / "network.pt", trainable_parameters="head")
    data = converter.unstructure(config)
    assert data["module"] == str(tmp_path / "network.pt")
    assert converter.structure(data, WrappedArchitectureConfig) == config


def test_storing_an_in_memory_module_says_to_save_it_to_a_file(tmp_path):
    store = FileConfigStore(tmp_path / "configs")
    with pytest.raises(ConfigError, match="architecture config 'wrapped': field module holds "
                       "an in-memory Sequential .* torch.save\\(module, path\\)"):
        store.store_architecture_config(wrapped(pretrained_network()))
    assert store.retrieve_architecture_config_names() == []
    # the fix the message gives: save the module and store its path
    torch.save(pretrained_network(), tmp_path / "network.pt")
    config = wrapped(tmp_path / "network.pt")
    store.store_architecture_config(config)
    assert store.retrieve_architecture_config("wrapped") == config


def test_other_in_memory_objects_cannot_be_stored():
    document = {"name": "x", "values": [1, (2, object())]}
    with pytest.raises(ConfigError, match="field values\\[1\\]\\[1\\] holds an in-memory "
                       "object object.*give a plain value"):
        _check_storable(document, "array config 'x'")
    _check_storable({"a": [1, 2.5, "s", None, True, (3, 4)], "b": {"c": 1}}, "ok")
