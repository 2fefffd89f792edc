"""Model: shapes from a dry run, eval-only activation, weight initialisation."""

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments import Model
from dacapo.experiments.architectures import (
    Architecture,
    DummyArchitecture,
    DummyArchitectureConfig,
)


def dummy_architecture(num_in_channels=1, num_out_channels=1) -> DummyArchitecture:
    config = DummyArchitectureConfig("dummy", num_in_channels, num_out_channels)
    return config.architecture_type(config)


class _PretrainedConv(Architecture):
    """A 2D 1x1 convolution whose weights must survive ``Model()``."""

    kaiming_init = False

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 1)
        with torch.no_grad():
            self.conv.weight.fill_(0.5)

    input_shape = Coordinate(4, 4)
    num_in_channels = 1
    num_out_channels = 1

    def forward(self, x):
        return self.conv(x)


def test_seed_examples_compute_output_shape_and_scale():
    # a 3x3x3 convolution turns 3^3 voxels into one; the 1x1x1 head keeps it
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    assert model.compute_output_shape(Coordinate(3, 3, 3)) == (1, Coordinate(1, 1, 1))
    assert model.scale(Coordinate(1, 1, 1)) == Coordinate(1, 1, 1)


def test_shapes_and_parts():
    architecture = dummy_architecture(num_in_channels=2, num_out_channels=3)
    head = torch.nn.Conv3d(3, 5, 1)
    model = Model(architecture, head)
    assert model.architecture is architecture
    assert model.prediction_head is head
    assert list(model.chain) == [architecture, head]
    assert model.num_in_channels == 2
    assert model.input_shape == Coordinate(40, 20, 20)
    assert model.eval_input_shape == Coordinate(40, 20, 20)
    # (40, 20, 20) - 2 per axis for the 3x3x3 convolution
    assert (model.num_out_channels, model.output_shape) == (5, Coordinate(38, 18, 18))
    assert model.eval_activation is None


def test_forward_applies_eval_activation_only_in_eval_mode():
    torch.manual_seed(0)
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1), torch.nn.Sigmoid())
    x = torch.linspace(-50, 50, 5 * 5 * 5).reshape(1, 1, 5, 5, 5)
    with torch.no_grad():
        logits = model(x)
        assert logits.min() < 0 or logits.max() > 1  # raw head output in training mode
        model.eval()
        probabilities = model(x)
    assert torch.allclose(probabilities, torch.sigmoid(logits))
    assert probabilities.min() >= 0 and probabilities.max() <= 1


def test_forward_without_eval_activation_is_the_chain():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1)).eval()
    x = torch.rand(1, 1, 5, 5, 5)
    with torch.no_grad():
        assert torch.equal(model(x), model.chain(x))


def test_compute_output_shape_leaves_modes_and_gradients_alone():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    model.prediction_head.eval()
    model.compute_output_shape(Coordinate(5, 5, 5))
    assert model.training and model.architecture.training
    assert not model.prediction_head.training
    assert all(p.grad is None for p in model.parameters())


def test_compute_output_shape_runs_on_the_model_device():
    # on the meta device only shapes exist; a CPU dummy input would fail
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1)).to("meta")
    assert model.compute_output_shape(Coordinate(7, 6, 5)) == (1, Coordinate(5, 4, 3))


def test_compute_output_shape_needs_a_coordinate():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    with pytest.raises(ConfigError, match=r"expected input_shape as a funlib Coordinate, got tuple"):
        model.compute_output_shape((3, 3, 3))
    with pytest.raises(ConfigError, match=r"input_shape \(3, 3\) has 2 dimensions, the model is 3D"):
        model.compute_output_shape(Coordinate(3, 3))


def test_compute_output_shape_of_a_too_small_input():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    with pytest.raises(ConfigError, match=r"cannot process an input of spatial shape \(2, 2, 2\)"):
        model.compute_output_shape(Coordinate(2, 2, 2))


def test_scale_needs_a_coordinate():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    with pytest.raises(ConfigError, match="expected voxel_size as a funlib Coordinate, got list"):
        model.scale([4, 4, 4])


def test_convolutions_are_kaiming_initialised():
    architecture = dummy_architecture()
    head = torch.nn.Conv3d(1, 1, 1)
    with torch.no_grad():
        architecture.conv.weight.zero_()
        head.weight.zero_()
    Model(architecture, head)
    assert torch.any(architecture.conv.weight != 0)
    assert torch.any(head.weight != 0)


def test_pretrained_architectures_keep_their_weights():
    architecture = _PretrainedConv()
    head = torch.nn.Conv2d(1, 1, 1)
    with torch.no_grad():
        head.weight.zero_()
    model = Model(architecture, head)
    assert torch.all(architecture.conv.weight == 0.5)
    assert torch.any(head.weight != 0)  # the new head is still initialised
    assert model.output_shape == Coordinate(4, 4)


def test_state_dict_holds_the_chain():
    model = Model(dummy_architecture(), torch.nn.Conv3d(1, 1, 1))
    assert {"chain.0.conv.weight", "chain.1.weight"} <= set(model.state_dict())


class _CountingConv(Architecture):
    """A 2D 3x3 valid convolution that counts the real (non-meta) inputs it sees;
    with ``host_sync`` it reads a value, which the meta device cannot do."""

    input_shape = Coordinate(10, 10)
    num_in_channels = 1
    num_out_channels = 2

    def __init__(self, host_sync=False):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.host_sync = host_sync
        self.real_runs = 0

    def forward(self, x):
        if x.device.type != "meta":
            self.real_runs += 1
        if self.host_sync:
            float(x.sum())
        return self.conv(x)


def test_output_shapes_come_from_a_shape_only_run_and_are_remembered():
    architecture = _CountingConv()
    model = Model(architecture, torch.nn.Identity())
    assert model.output_shape == Coordinate(8, 8)
    assert model.compute_output_shape(Coordinate(30, 20)) == (2, Coordinate(28, 18))
    assert model.compute_output_shape(Coordinate(30, 20)) == (2, Coordinate(28, 18))
    assert architecture.real_runs == 0  # no arithmetic on a full-size input, ever


def test_layers_that_cannot_run_shape_only_get_a_real_dry_run():
    architecture = _CountingConv(host_sync=True)
    model = Model(architecture, torch.nn.Identity())
    assert model.output_shape == Coordinate(8, 8)
    assert architecture.real_runs == 1
    with pytest.raises(ConfigError, match=r"cannot process an input of spatial shape \(2, 2\)"):
        model.compute_output_shape(Coordinate(2, 2))
