"""Contract every architecture meets, run over every registered concrete
``ArchitectureConfig``: ``build(config)`` gives an ``Architecture`` whose
channel counts and input shape are the configured ones, whose output (at the
training input shape and at the larger prediction input shape) has the
documented shape, and whose trainable parameters all get finite gradients.

Each registered class needs an entry in ``EXAMPLES``; bioimage.io models are
played by a small stand-in for the optional ``bioimageio.core`` package.
"""

import sys
import types
from types import SimpleNamespace

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo._build import build
from dacapo.experiments.architectures import (
    CNNectomeUNetConfig,
    DummyArchitectureConfig,
    ModelZooConfig,
    WrappedArchitectureConfig,
)
from dacapo.experiments.architectures.architecture import Architecture
from dacapo.experiments.architectures.architecture_config import ArchitectureConfig
from dacapo.experiments.model import Model


def _wrapped_network():
    return torch.nn.Sequential(
        torch.nn.Conv3d(1, 2, 3), torch.nn.ReLU(), torch.nn.Conv3d(2, 3, 1)
    )


def _zoo_description():
    """One input (1 channel, at least 12x10x10 voxels of 8 nm), one output
    (2 channels of 4 nm), state-dict weights."""

    def tensor(channels, sizes, scale):
        space = [
            SimpleNamespace(type="space", id=axis, size=size, scale=scale)
            for axis, size in zip("zyx", sizes)
        ]
        channel = SimpleNamespace(type="channel", channel_names=[f"c{i}" for i in range(channels)])
        return SimpleNamespace(axes=[SimpleNamespace(type="batch"), channel] + space)

    return SimpleNamespace(
        type="model",
        inputs=[tensor(1, [SimpleNamespace(min=12, step=4), 10, 10], 8.0)],
        outputs=[tensor(2, [None, None, None], 4.0)],
        weights=SimpleNamespace(pytorch_state_dict="state dict"),
    )


@pytest.fixture
def bioimageio_stand_in(monkeypatch):
    """``bioimageio.core`` with ``load_description`` and the PyTorch backend's
    ``load_torch_model`` (a 3x3x3 convolution, 1 -> 2 channels)."""
    names = ("bioimageio", "bioimageio.core", "bioimageio.core.backends",
             "bioimageio.core.backends.pytorch_backend")
    modules = {name: types.ModuleType(name) for name in names}
    for parent, child in zip(names, names[1:]):
        setattr(modules[parent], child.rsplit(".", 1)[1], modules[child])
    modules["bioimageio.core"].load_description = lambda source: _zoo_description()
    modules["bioimageio.core.backends.pytorch_backend"].load_torch_model = (
        lambda weights, load_state=True, devices=None: torch.nn.Conv3d(1, 2, 3)
    )
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)


def _zoo(tmp_path):
    (tmp_path / "rdf.yaml").write_text("type: model\n")
    return ModelZooConfig("zoo", str(tmp_path))


# config class name -> (config factory(tmp_path), expected (num_in_channels,
# num_out_channels), input shape, output shape, prediction input shape and its
# output shape, output voxel size for an input voxel size of (8, 8, 8))
EXAMPLES = {
    "DummyArchitectureConfig": (
        lambda tmp_path: DummyArchitectureConfig("dummy", 1, 2),
        (1, 2), (40, 20, 20), (38, 18, 18), (40, 20, 20), (38, 18, 18), (8, 8, 8),
    ),
    "CNNectomeUNetConfig": (
        lambda tmp_path: CNNectomeUNetConfig(
            "unet", input_shape=(20, 20, 20), fmaps_out=3, fmaps_in=2, num_fmaps=2,
            fmap_inc_factor=2, downsample_factors=[(2, 2, 2)],
            eval_shape_increase=(8, 8, 8),
        ),
        # 20 -conv-> 16 -pool-> 8 -conv-> 4 -up-> 8 -conv-> 4 (and 28 -> ... -> 12)
        (2, 3), (20, 20, 20), (4, 4, 4), (28, 28, 28), (12, 12, 12), (8, 8, 8),
    ),
    "WrappedArchitectureConfig": (
        lambda tmp_path: WrappedArchitectureConfig(
            "wrapped", _wrapped_network(), 1, 3, (10, 10, 10), eval_shape_increase=(4, 4, 4)
        ),
        (1, 3), (10, 10, 10), (8, 8, 8), (14, 14, 14), (12, 12, 12), (8, 8, 8),
    ),
    "ModelZooConfig": (
        _zoo,
        (1, 2), (12, 10, 10), (10, 8, 8), (12, 10, 10), (10, 8, 8), (4, 4, 4),
    ),
}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


REGISTERED = [cls.__name__ for cls in ArchitectureConfig.registry().concrete()]


@pytest.fixture(params=REGISTERED)
def example(request, tmp_path, bioimageio_stand_in):
    name = request.param
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is a registered ArchitectureConfig without an example; add one to "
            "EXAMPLES in tests/contracts/test_architectures.py"
        )
    factory, channels, *shapes, voxel_size = EXAMPLES[name]
    config = factory(tmp_path)
    assert type(config).__name__ == name
    torch.manual_seed(0)
    return build(config), channels, [Coordinate(s) for s in shapes], Coordinate(voxel_size)


def test_every_registered_architecture_has_an_example():
    assert "CNNectomeUNetConfig" in REGISTERED
    missing = set(REGISTERED) - set(EXAMPLES)
    assert not missing, f"architectures without an example in {__file__}: {missing}"


def test_builds_with_the_configured_channels_and_shapes(example):
    architecture, channels, (input_shape, _, eval_shape, _), _ = example
    assert isinstance(architecture, Architecture)
    assert (architecture.num_in_channels, architecture.num_out_channels) == channels
    assert architecture.input_shape == input_shape
    assert architecture.input_shape + architecture.eval_shape_increase == eval_shape
    assert architecture.dims == input_shape.dims == 3


def test_output_shapes(example):
    architecture, (num_in, num_out), shapes, _ = example
    input_shape, output_shape, eval_shape, eval_output_shape = shapes
    architecture.eval()
    with torch.no_grad():
        for shape, expected in ((input_shape, output_shape), (eval_shape, eval_output_shape)):
            out = architecture(torch.rand((2, num_in) + tuple(shape)))
            assert tuple(out.shape) == (2, num_out) + tuple(expected)
    # what a Model (the architecture and a head) computes from the same shapes
    model = Model(architecture, torch.nn.Conv3d(num_out, 1, 1))
    assert model.output_shape == output_shape
    assert model.compute_output_shape(eval_shape) == (1, eval_output_shape)


def test_scale(example):
    architecture, _, _, voxel_size = example
    assert architecture.scale(Coordinate(8, 8, 8)) == voxel_size


def test_every_trainable_parameter_gets_a_finite_gradient(example):
    architecture, (num_in, _), (input_shape, *_), _ = example
    architecture.train()
    trainable = {name: p for name, p in architecture.named_parameters() if p.requires_grad}
    assert trainable
    out = architecture(torch.rand((2, num_in) + tuple(input_shape)))
    (out**2).mean().backward()
    for name, parameter in trainable.items():
        assert parameter.grad is not None, f"{name} gets no gradient"
        assert torch.all(torch.isfinite(parameter.grad)), name
    assert any(torch.any(p.grad != 0) for p in trainable.values())
