"""Valid input sizes and output sizes of exported networks, as bioimage.io
describes them: ``min + n * step`` in, ``int(in * in_scale / out_scale) + offset`` out."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo._bioimageio_geometry import TensorGeometry, measure_geometry
from dacapo.errors import ConfigError
from dacapo.experiments.architectures import CNNectomeUNetConfig, DummyArchitectureConfig
from dacapo.experiments.bioimageio_network import BioImageIONetwork
from dacapo.store.converter import converter


def _network(config):
    return BioImageIONetwork(converter.unstructure(config)).eval()


def _forward_shape(network, shape):
    with torch.no_grad():
        return tuple(network(torch.zeros((1, network.num_in_channels) + shape)).shape[2:])


def test_upsampling_unet_outputs_twice_the_voxels():
    config = CNNectomeUNetConfig(
        "up", input_shape=(28, 28, 28), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[(2, 2, 2)], upsample_factors=[(2, 2, 2)],
    )
    network = _network(config)
    geometry = measure_geometry(network, config, Coordinate(28, 28, 28), Coordinate(8, 8, 8))
    assert geometry.axes == ("z", "y", "x")
    assert (geometry.minimum, geometry.step) == ((20, 20, 20), (2, 2, 2))
    assert geometry.output_voxel_size == Coordinate(4, 4, 4)
    for n in (0, 3):  # beyond the sizes measured
        size = (20 + 2 * n,) * 3
        assert geometry.output_size(size) == _forward_shape(network, size)


def test_anisotropic_2d_unet():
    config = CNNectomeUNetConfig(
        "flat", input_shape=(20, 26), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[(1, 2)],
    )
    network = _network(config)
    geometry = measure_geometry(network, config, Coordinate(20, 26), Coordinate(4, 2))
    assert geometry.axes == ("y", "x")
    # y: six valid 3-convolutions take 12 voxels; x: pooling by 2 needs even sizes
    # after the first two convolutions, and (x - 4) / 2 - 4 >= 1 ... gives 18
    assert (geometry.minimum, geometry.step) == ((13, 18), (1, 2))
    assert geometry.offset == (-12, -16)
    assert geometry.output_size((15, 24)) == _forward_shape(network, (15, 24)) == (3, 8)


def test_architecture_without_shape_arithmetic_keeps_its_training_shape():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    network = _network(config)
    shape = network.model.input_shape
    geometry = measure_geometry(network, config, shape, Coordinate(1, 1, 1))
    assert not geometry.parameterized
    assert geometry.minimum == tuple(shape)
    assert geometry.output_size(tuple(shape)) == _forward_shape(network, tuple(shape))
    with pytest.raises(ConfigError, match=r"has spatial shape \(42, 20, 20\), which the network "
                       r"cannot take; valid sizes per axis are z: 40, y: 20, x: 20"):
        geometry.check_input((42, 20, 20), "the test input")


class _Halving:
    """A network stand-in whose output is half its input, rounded down."""

    num_in_channels = 1

    def scale(self, voxel_size):
        return voxel_size

    def parameters(self):
        return iter(())

    def __call__(self, x):
        return torch.nn.functional.max_pool3d(x, 2)


def test_output_that_does_not_grow_linearly_falls_back_to_the_fixed_shape(caplog):
    sizes = SimpleNamespace(fits=lambda size, axis: size >= 2)  # min 2, step 1
    config = SimpleNamespace(geometry=lambda: sizes)
    geometry = measure_geometry(_Halving(), config, Coordinate(8, 8, 8), Coordinate(1, 1, 1))
    assert not geometry.parameterized and geometry.fixed_output == (4, 4, 4)
    assert "output shape (1, 1, 1) for input (3, 3, 3) does not grow linearly" in caplog.text


def test_more_than_three_spatial_axes():
    network = SimpleNamespace(scale=lambda v: v)
    with pytest.raises(ConfigError, match=r"the network has 4 spatial dimensions; bioimage.io "
                       r"space axes are z, y, x \(at most 3\)"):
        measure_geometry(network, None, Coordinate(4, 4, 4, 4),
                         Coordinate(1, 1, 1, 1))


def test_output_sizes_as_bioimageio_computes_them():
    geometry = TensorGeometry(("y", "x"), (10, 10), (4, 4), (-3, -3), (7, 7),
                              Coordinate(8, 8), Coordinate(4, 4))
    assert geometry.output_size((14, 18)) == (14 * 2 - 3, 18 * 2 - 3)
