"""CNNectome U-Net: output shapes of the documented presets (computed by hand
in the comments), padding modes, options and shape errors.

Valid convolutions of size 3 remove 2 voxels each, so a level's conv pass of
two 3^d convolutions removes 4. After upsampling into level l the tensor is
cropped so that (size - 4) is a multiple of the product of the downsampling
factors from level l to the bottom ("crop to factor").
"""

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import CNNectomeUNet, CNNectomeUNetConfig
from dacapo.experiments.model import Model
from dacapo.store.converter import converter


def unet_config(**overrides) -> CNNectomeUNetConfig:
    fields = dict(
        name="tiny_unet",
        input_shape=Coordinate(36, 36),
        fmaps_out=2,
        fmaps_in=1,
        num_fmaps=2,
        fmap_inc_factor=2,
        downsample_factors=[Coordinate(2, 2)],
    )
    fields.update(overrides)
    return CNNectomeUNetConfig(**fields)


def output_of(config: CNNectomeUNetConfig):
    """(channels, spatial shape) from a dry run of the U-Net with an identity head."""
    architecture = config.architecture_type(config)
    model = Model(architecture, torch.nn.Identity())
    return model.num_out_channels, model.output_shape


def test_architecture_type_is_the_runtime_class():
    assert CNNectomeUNetConfig.architecture_type is CNNectomeUNet
    assert isinstance(unet_config().architecture_type(unet_config()), CNNectomeUNet)


def test_yoshi_unet_preset_188_cubed():
    # 188 -conv-> 184 -pool2-> 92 -conv-> 88 -pool2-> 44 -conv-> 40 -pool2-> 20
    # bottom: 20 -conv-> 16
    # up to level 2: 16*2 = 32, (32-4) % 2 == 0 (no crop), -conv-> 28
    # up to level 1: 28*2 = 56, (56-4) % 4 == 0 (no crop), -conv-> 52
    # up to level 0: 52*2 = 104, (104-4) % 8 == 4 -> crop to 96+4 = 100, -conv-> 96
    config = unet_config(
        input_shape=Coordinate(188, 188, 188),
        num_fmaps=1,
        downsample_factors=[Coordinate(2, 2, 2)] * 3,
    )
    assert output_of(config) == (2, Coordinate(96, 96, 96))


def test_upsample_unet_preset_216_cubed():
    # 216 -conv-> 212 -pool2-> 106 -conv-> 102 -pool3-> 34 -conv-> 30 -pool3-> 10
    # bottom: 10 -conv-> 6
    # up to level 2: 6*3 = 18, (18-4) % 3 == 2 -> crop to 4*3+4 = 16, -conv-> 12
    # up to level 1: 12*3 = 36, (36-4) % 9 == 5 -> crop to 3*9+4 = 31, -conv-> 27
    # up to level 0: 27*2 = 54, (54-4) % 18 == 14 -> crop to 2*18+4 = 40, -conv-> 36
    # extra upsampling: 36*2 = 72 -conv-> 68
    config = unet_config(
        input_shape=Coordinate(216, 216, 216),
        num_fmaps=1,
        fmap_inc_factor=1,
        downsample_factors=[Coordinate(2, 2, 2), Coordinate(3, 3, 3), Coordinate(3, 3, 3)],
        upsample_factors=[Coordinate(2, 2, 2)],
    )
    architecture = config.architecture_type(config)
    model = Model(architecture, torch.nn.Conv3d(2, 1, 1))
    assert model.output_shape == Coordinate(68, 68, 68)
    # 8 nm in, 4 nm out
    assert model.scale(Coordinate(8, 8, 8)) == Coordinate(4, 4, 4)


def test_2d_unet():
    # 36 -conv-> 32 -pool2-> 16 -conv-> 12; up 24, (24-4) % 2 == 0, -conv-> 20
    assert output_of(unet_config()) == (2, Coordinate(20, 20))


def test_pseudo_2d_unet_with_flat_kernels():
    # z: kernels of size 1 and factor 1 keep the single section
    # y, x: as the 2D U-Net, 36 -> 20
    flat = [Coordinate(1, 3, 3)] * 2
    config = unet_config(
        input_shape=Coordinate(1, 36, 36),
        downsample_factors=[Coordinate(1, 2, 2)],
        kernel_size_down=[flat, flat],
        kernel_size_up=[flat],
    )
    assert output_of(config) == (2, Coordinate(1, 20, 20))


def test_per_level_kernel_sizes():
    # top level kernels (3, 3, 2), bottom level kernels (1, 3, 3), factor (1, 2, 2):
    # z: 12 -conv 3,3-> 8 -pool1-> 8 -conv 1,1-> 8; up x1 = 8 -conv 3,3-> 4
    # y: 20 -conv 3,3-> 16 -pool2-> 8 -conv 3,3-> 4; up x2 = 8, (8-4) % 2 == 0 -conv 3,3-> 4
    # x: 18 -conv 2,2-> 16 -pool2-> 8 -conv 3,3-> 4; up x2 = 8, (8-2) % 2 == 0 -conv 2,2-> 6
    config = unet_config(
        input_shape=Coordinate(12, 20, 18),
        downsample_factors=[Coordinate(1, 2, 2)],
        kernel_size_down=[[Coordinate(3, 3, 2)] * 2, [Coordinate(1, 3, 3)] * 2],
        kernel_size_up=[[Coordinate(3, 3, 2)] * 2],
    )
    assert output_of(config) == (2, Coordinate(4, 4, 6))


@pytest.mark.parametrize("shape", [Coordinate(16, 16), Coordinate(8, 16, 16)])
def test_same_padding_keeps_the_shape(shape):
    config = unet_config(
        input_shape=shape,
        padding="same",
        downsample_factors=[Coordinate((2,) * shape.dims)] * 2,
    )
    assert output_of(config) == (2, shape)


def test_upsample_factors_double_the_output_and_halve_the_voxel_size():
    config = unet_config(
        input_shape=Coordinate(8, 8, 8),
        padding="same",
        downsample_factors=[Coordinate(2, 2, 2)],
        upsample_factors=[Coordinate(2, 2, 2)],
    )
    architecture = config.architecture_type(config)
    assert Model(architecture, torch.nn.Identity()).output_shape == Coordinate(16, 16, 16)
    assert architecture.scale(Coordinate(8, 8, 8)) == Coordinate(4, 4, 4)


def test_scale_without_upsampling_is_the_identity():
    architecture = unet_config().architecture_type(unet_config())
    assert architecture.scale(Coordinate(4, 4)) == Coordinate(4, 4)


def test_scale_needs_a_divisible_voxel_size():
    config = unet_config(upsample_factors=[Coordinate(2, 2)])
    architecture = config.architecture_type(config)
    with pytest.raises(ConfigError, match=r"voxel size \(3, 4\) cannot be divided"):
        architecture.scale(Coordinate(3, 4))


def test_scale_needs_a_coordinate_of_the_right_dims():
    architecture = unet_config().architecture_type(unet_config())
    with pytest.raises(ConfigError, match="expected the voxel size as a funlib Coordinate"):
        architecture.scale((4, 4))
    with pytest.raises(ConfigError, match="has 3 dimensions, the architecture is 2D"):
        architecture.scale(Coordinate(4, 4, 4))


def test_feature_maps_per_level_and_channels():
    config = unet_config(
        input_shape=Coordinate(44, 44),
        fmaps_in=3,
        fmaps_out=5,
        num_fmaps=2,
        fmap_inc_factor=3,
        downsample_factors=[Coordinate(2, 2)] * 2,
    )
    architecture = config.architecture_type(config)
    assert (architecture.num_in_channels, architecture.num_out_channels) == (3, 5)
    first_convs = [level.conv_pass[0] for level in architecture.unet.l_conv]
    assert [(c.in_channels, c.out_channels) for c in first_convs] == [(3, 2), (2, 6), (6, 18)]
    x = torch.zeros(1, 3, 44, 44)
    assert architecture(x).shape[1] == 5


def test_transposed_convolution_upsampling_gives_the_same_shapes():
    constant = unet_config()
    transposed = unet_config(constant_upsample=False)
    architecture = transposed.architecture_type(transposed)
    # r_up[head][level], named as upstream DaCapo's; the ReLU follows in `up`
    assert isinstance(architecture.unet.r_up[0][0].up[0], torch.nn.ConvTranspose2d)
    assert output_of(transposed) == output_of(constant)


def test_attention_gates_weigh_the_skip_connections():
    config = unet_config(use_attention=True)
    architecture = config.architecture_type(config)
    assert len(architecture.unet.attention[0]) == 1  # attention[head][level]
    x = torch.rand(2, 1, 36, 36)
    out = architecture(x)
    assert out.shape == (2, 2, 20, 20)
    out.sum().backward()
    assert architecture.unet.attention[0][0].psi.conv_pass[0].weight.grad is not None


def test_batch_norm_layers_and_a_dry_run_that_leaves_their_statistics():
    config = unet_config(batch_norm=True)
    architecture = config.architecture_type(config)
    norms = [m for m in architecture.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 6  # two per conv pass: level 0 down, level 1, level 0 up
    model = Model(architecture, torch.nn.Identity())
    assert model.training
    assert all(torch.all(norm.running_mean == 0) for norm in norms)
    out = model(torch.rand(2, 1, 36, 36))
    assert out.shape == (2, 2, 20, 20)
    assert any(torch.any(norm.running_mean != 0) for norm in norms)


def test_eval_shape_increase():
    config = unet_config(eval_shape_increase=Coordinate(8, 8))
    architecture = config.architecture_type(config)
    assert architecture.eval_shape_increase == Coordinate(8, 8)
    assert Model(architecture, torch.nn.Identity()).eval_input_shape == Coordinate(44, 44)
    assert unet_config().architecture_type(unet_config()).eval_shape_increase == Coordinate(0, 0)


def test_eval_shape_increase_must_keep_the_input_valid():
    # 36 + 1 = 37 -conv-> 33, not divisible by 2; 36 and 38 work
    with pytest.raises(
        ConfigError,
        match=r"input_shape \+ eval_shape_increase \(37, 36\) .* sizes near 37 that work: 36 or 38",
    ):
        unet_config(eval_shape_increase=Coordinate(1, 0))


def test_input_shape_not_divisible_names_the_level_and_nearby_sizes():
    # 37 -conv-> 33, not divisible by 2; 36 and 38 work
    message = (
        r"along axis 0 \(size 37\), at level 0 \(down path\) the size 33 after the "
        r"convolutions is not divisible by the downsampling factor 2; sizes near 37 "
        r"that work: 36 or 38"
    )
    with pytest.raises(ConfigError, match=message):
        unet_config(input_shape=Coordinate(37, 36))
    config = unet_config()
    config.input_shape = Coordinate(37, 36)  # changed after it was made: checked again
    ok, reason = config.verify()
    assert not ok
    with pytest.raises(ConfigError, match=message):
        config.architecture_type(config)


def test_input_shape_too_small_for_valid_convolutions():
    # 12 -conv-> 8 -pool2-> 4 -conv-> 0: the bottom level has nothing left
    # 16 -conv-> 12 -pool2-> 6 -conv-> 2; up 4, too small for the decoder's 4 voxels
    # 18 -conv-> 14 -pool2-> 7 -conv-> 3; up 6, (6-4) % 2 == 0 -conv-> 2: the first that works
    with pytest.raises(
        ConfigError,
        match=r"axis 1 \(size 12\), at level 1 \(bottom\) the size 4 shrinks to 0 .* "
        r"sizes near 12 that work: 18",
    ):
        unet_config(input_shape=Coordinate(36, 12))


def test_same_padding_only_needs_divisibility():
    with pytest.raises(ConfigError, match=r"axis 0 \(size 6\), at level 1 .* 4 or 8"):
        unet_config(input_shape=Coordinate(6, 8), padding="same",
                    downsample_factors=[Coordinate(2, 2)] * 2)


def test_forward_checks_the_tensor_shape():
    architecture = unet_config().architecture_type(unet_config())
    with pytest.raises(ConfigError, match=r"input tensor shape \(37, 36\)"):
        architecture(torch.zeros(1, 1, 37, 36))
    with pytest.raises(ConfigError, match=r"expected a tensor of shape \(batch, 1, 2 spatial"):
        architecture(torch.zeros(1, 2, 36, 36))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"kernel_size_down": [[Coordinate(3, 3)] * 2]}, "kernel_size_down has 1 levels, expected 2"),
        ({"kernel_size_up": []}, "kernel_size_up has 0 levels, expected 1"),
        ({"padding": "full"}, "padding must be 'valid' or 'same', got 'full'"),
        ({"num_fmaps": 0}, "num_fmaps must be a positive integer, got 0"),
        ({"downsample_factors": [Coordinate(2, 2, 2)]}, r"downsample_factors entry \(2, 2, 2\) has 3 dimensions"),
        ({"downsample_factors": [Coordinate(0, 2)]}, r"downsample_factors entry \(0, 2\) must be >= 1"),
        ({"eval_shape_increase": Coordinate(-2, 0)}, r"eval_shape_increase entry \(-2, 0\) must be >= 0"),
        (
            {"padding": "same", "kernel_size_up": [[Coordinate(2, 3)]]},
            r"kernel_size_up entry \(2, 3\) has an even size",
        ),
        ({"input_shape": Coordinate(4, 4, 4, 4)}, "must have 1 to 3 dimensions"),
    ],
)
def test_invalid_configs_are_refused_when_made(overrides, message):
    with pytest.raises(ConfigError, match=message):
        unet_config(**overrides)


def test_a_wrong_type_is_refused_when_made():
    with pytest.raises(ConfigError, match=r"CNNectomeUNetConfig .*`fmaps_out` must be an "
                                          r"integer, got 1\.5$"):
        unet_config(fmaps_out=1.5)


def test_config_round_trips_through_the_converter():
    config = unet_config(
        kernel_size_down=[[Coordinate(3, 3)] * 2] * 2,
        eval_shape_increase=Coordinate(8, 8),
        upsample_factors=[Coordinate(2, 2)],
        use_attention=True,
    )
    data = converter.unstructure(config)
    assert data["__type__"] == "CNNectomeUNetConfig"
    assert data["input_shape"] == [36, 36]
    assert data["eval_shape_increase"] == [8, 8]
    assert converter.structure(data, CNNectomeUNetConfig) == config


def test_plain_tuples_become_coordinates():
    config = unet_config(input_shape=(36, 36), downsample_factors=[(2, 2)])
    assert isinstance(config.input_shape, Coordinate)
    assert isinstance(config.downsample_factors[0], Coordinate)
    assert config.verify() == (True, "No validation for this config")


def test_upsampled_tensor_too_small_for_the_decoder():
    # 16 -conv-> 12 -pool2-> 6 -conv-> 2; up 4 leaves no multiple of 2 after the 4 voxels
    with pytest.raises(
        ConfigError, match=r"level 0 \(up path\) the upsampled size 4 is too small .* work: 18"
    ):
        unet_config(input_shape=Coordinate(36, 16))


def test_extra_upsampling_too_small_for_its_convolutions():
    # 18 -> U-Net output 2 (see above); x2 = 4 -conv-> 0
    # 20 -conv-> 16 -pool2-> 8 -conv-> 4; up 8 -conv-> 4; x2 = 8 -conv-> 4 works
    with pytest.raises(ConfigError, match=r"at upsampling 0 the size 4 shrinks to 0 .* work: 20"):
        unet_config(input_shape=Coordinate(36, 18), upsample_factors=[Coordinate(2, 2)])


def test_a_single_level_is_a_plain_conv_pass():
    # no downsampling: 36 -conv-> 32, and the one conv pass outputs fmaps_out channels
    assert output_of(unet_config(downsample_factors=[])) == (2, Coordinate(32, 32))


def _fitting_sizes(architecture, count=3):
    """The first ``count`` sizes from the input size on that fit every axis."""
    geometry = architecture._geometry
    start = min(architecture.input_shape)
    return [s for s in range(start, start + 200)
            if all(geometry.fits(s, axis) for axis in range(architecture.dims))][:count]


@pytest.mark.parametrize("overrides", [
    {},
    dict(input_shape=Coordinate(52, 52, 52), downsample_factors=[Coordinate(2, 2, 2)] * 2),
    dict(input_shape=Coordinate(16, 16), padding="same"),
    dict(upsample_factors=[Coordinate(2, 2)]),
    dict(constant_upsample=False),
    dict(use_attention=True),
    dict(downsample_factors=[Coordinate(3, 3)], input_shape=Coordinate(46, 46)),
], ids=["2d", "3d_two_levels", "same", "upsampled", "transposed", "attention", "factor_3"])
@pytest.mark.parametrize("head_kernel", [1, 3, 2])
def test_known_output_shape_is_what_the_network_gives(overrides, head_kernel):
    """Models take their shapes from the U-Net's geometry (no dry run); they
    are the shapes a shape-only run of the whole chain gives."""
    from dacapo.experiments.model import _meta_output_shape
    from dacapo.experiments.tasks.predictors._common import make_head

    architecture = unet_config(**overrides).architecture_type(unet_config(**overrides))
    model = Model(architecture, make_head(architecture, 3, head_kernel))
    sizes = _fitting_sizes(architecture)
    assert len(sizes) == 3
    for size in sizes:
        shape = (size,) * architecture.dims
        known = model._known_output_shape(shape)
        assert known is not None
        assert known == _meta_output_shape(model.chain, 1, shape)


def test_a_shape_that_does_not_fit_has_no_known_output_shape():
    architecture = unet_config().architecture_type(unet_config())
    assert architecture.known_output_shape(Coordinate(36, 36)) == Coordinate(20, 20)
    assert architecture.known_output_shape(Coordinate(37, 36)) is None
    assert architecture.known_output_shape(Coordinate(4, 4)) is None


def test_making_a_unet_model_runs_no_network():
    """No dry run, not even shape-only: that would first import torch._dynamo
    (about a second of every train, predict and validate)."""
    import subprocess
    import sys

    code = (
        "import sys, torch\n"
        "from funlib.geometry import Coordinate\n"
        "from dacapo.experiments.architectures import CNNectomeUNetConfig\n"
        "from dacapo.experiments.tasks import DistanceTaskConfig\n"
        "c = CNNectomeUNetConfig('u', input_shape=Coordinate(44, 44, 44), fmaps_out=4, "
        "fmaps_in=1, num_fmaps=4, fmap_inc_factor=2, downsample_factors=[Coordinate(2, 2, 2)])\n"
        "t = DistanceTaskConfig('d', channels=['a'], clip_distance=4.0, tol_distance=4.0, "
        "scale_factor=8.0)\n"
        "model = t.task_type(t).create_model(c.architecture_type(c))\n"
        "print(tuple(model.output_shape), 'torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")[0]
    assert out == "(28, 28, 28) False"
