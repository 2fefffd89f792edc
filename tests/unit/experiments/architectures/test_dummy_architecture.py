"""The dummy architecture: one 3x3x3 convolution on a (40, 20, 20) input."""

import subprocess
import sys

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitecture, DummyArchitectureConfig
from dacapo.store.converter import converter


def test_single_convolution():
    config = DummyArchitectureConfig("dummy", num_in_channels=2, num_out_channels=3)
    architecture = config.architecture_type(config)
    assert isinstance(architecture, DummyArchitecture)
    assert architecture.input_shape == Coordinate(40, 20, 20)
    assert architecture.eval_shape_increase == Coordinate(0, 0, 0)
    assert (architecture.num_in_channels, architecture.num_out_channels, architecture.dims) == (2, 3, 3)
    assert architecture(torch.zeros(1, 2, 5, 6, 7)).shape == (1, 3, 3, 4, 5)
    assert architecture.scale(Coordinate(4, 4, 4)) == Coordinate(4, 4, 4)


@pytest.mark.parametrize("field", ["num_in_channels", "num_out_channels"])
def test_channels_must_be_positive(field):
    fields = {"num_in_channels": 1, "num_out_channels": 1, field: 0}
    message = f"'dummy': {field} must be a positive integer, got 0"
    with pytest.raises(ConfigError, match=message):
        DummyArchitectureConfig("dummy", **fields)
    config = DummyArchitectureConfig("dummy", 1, 1)
    setattr(config, field, 0)  # changed after it was made: checked again when built
    assert config.verify()[0] is False
    with pytest.raises(ConfigError, match=message):
        config.architecture_type(config)


def test_round_trip():
    config = DummyArchitectureConfig("dummy", 1, 2)
    data = converter.unstructure(config)
    assert data == {"__type__": "DummyArchitectureConfig", "name": "dummy",
                    "num_in_channels": 1, "num_out_channels": 2}
    assert converter.structure(data, DummyArchitectureConfig) == config


def test_config_package_does_not_import_torch():
    code = (
        "import sys, dacapo.experiments.architectures as a; "
        "a.CNNectomeUNetConfig, a.DummyArchitectureConfig, a.WrappedArchitectureConfig, "
        "a.ModelZooConfig; print('torch' in sys.modules, 'bioimageio' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
