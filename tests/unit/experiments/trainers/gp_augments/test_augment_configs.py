"""Augment configs: validation, storage round trip, and the node each builds."""

import math
import subprocess
import sys

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.trainers.gp_augments import (
    AugmentConfig,
    ElasticAugmentConfig,
    GammaAugmentConfig,
    IntensityAugmentConfig,
    IntensityScaleShiftAugmentConfig,
    NoiseAugmentConfig,
    SimpleAugmentConfig,
)
from dacapo.gp import DaCapoArraySource
from dacapo.store.converter import converter

RAW, GT, MASK = gp.ArrayKey("RAW"), gp.ArrayKey("GT"), gp.ArrayKey("MASK")
RAW_DATA = (np.arange(144, dtype=np.float32).reshape(12, 12) / 143.0).astype(np.float32)
GT_DATA = (np.arange(144).reshape(12, 12) // 30).astype(np.uint8)
CROP = Roi((3, 3), (6, 6))


def _run(config: AugmentConfig, seed: int = 0) -> gp.Batch:
    """One batch of raw, gt and mask (6x6 crop of 12x12) through ``config.node``."""
    sources = []
    for key, data in ((RAW, RAW_DATA), (GT, GT_DATA), (MASK, np.ones_like(GT_DATA))):
        array = NumpyArray.from_np_array(data.copy(), Roi((0, 0), (12, 12)), (1, 1), "yx")
        sources.append(DaCapoArraySource(array, key) + gp.Pad(key, None))
    pipeline = tuple(sources) + gp.MergeProvider() + config.node(RAW, GT, MASK)
    request = gp.BatchRequest(random_seed=seed)
    for key in (RAW, GT, MASK):
        request[key] = gp.ArraySpec(roi=CROP)
    with gp.build(pipeline):
        return pipeline.request_batch(request)


def _round_trip(config):
    return converter.structure(converter.unstructure(config), AugmentConfig)


def test_elastic_config_round_trips_and_deforms():
    config = ElasticAugmentConfig([3, 3], [1.5, 1.5], (0, math.pi / 2), subsample=2)
    assert _round_trip(config) == config
    batch = _run(config, seed=2)
    assert batch[GT].data.shape == (6, 6)
    assert set(np.unique(batch[GT].data)) <= set(np.unique(GT_DATA))
    assert not np.array_equal(batch[RAW].data, RAW_DATA[3:9, 3:9])


def test_simple_config_round_trips_and_mirrors():
    config = SimpleAugmentConfig(mirror_only=[1], transpose_only=[], mirror_probs=[0.0, 1.0])
    assert _round_trip(config) == config
    batch = _run(config)
    # mirroring x always: every row comes back reversed
    np.testing.assert_array_equal(batch[GT].data, GT_DATA[3:9, 3:9][:, ::-1])


def test_intensity_config_round_trips_and_scales_contrast():
    config = IntensityAugmentConfig(scale=(2.0, 2.0), shift=(0.0, 0.0), clip=False)
    assert _round_trip(config) == config
    crop = RAW_DATA[3:9, 3:9]
    expected = crop.mean() + (crop - crop.mean()) * 2.0
    np.testing.assert_allclose(_run(config)[RAW].data, expected, rtol=1e-5)


def test_gamma_config_round_trips_and_applies_gamma():
    config = GammaAugmentConfig(gamma_range=(2.0, 2.0))
    assert _round_trip(config) == config
    np.testing.assert_allclose(_run(config)[RAW].data, RAW_DATA[3:9, 3:9] ** 2, rtol=1e-5)


def test_intensity_scale_shift_config_maps_unit_range_to_symmetric():
    config = IntensityScaleShiftAugmentConfig(scale=2.0, shift=-1.0)
    assert _round_trip(config) == config
    np.testing.assert_allclose(_run(config)[RAW].data, RAW_DATA[3:9, 3:9] * 2 - 1, rtol=1e-5)


def test_noise_config_round_trips_and_adds_noise():
    config = NoiseAugmentConfig(mode="gaussian", var=0.05)
    assert _round_trip(config) == config
    assert config.options() == {"var": 0.05}
    raw = _run(config)[RAW].data
    assert not np.allclose(raw, RAW_DATA[3:9, 3:9])
    assert raw.min() >= 0 and raw.max() <= 1  # clipped


def test_salt_and_pepper_noise_replaces_voxels():
    raw = _run(NoiseAugmentConfig(mode="s&p", amount=0.5, salt_vs_pepper=1.0))[RAW].data
    changed = raw != RAW_DATA[3:9, 3:9]
    assert changed.any() and np.all(raw[changed] == 1.0)


def test_lists_and_tuples_compare_equal():
    assert GammaAugmentConfig([0.5, 2.0]) == GammaAugmentConfig((0.5, 2.0))
    assert ElasticAugmentConfig((4, 4), (1.0, 1.0), [0, 1]) == ElasticAugmentConfig(
        [4, 4], [1.0, 1.0], (0, 1)
    )


def test_node_does_not_change_the_config():
    config = SimpleAugmentConfig()
    before = converter.unstructure(config)
    _run(config)
    assert converter.unstructure(config) == before


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: GammaAugmentConfig((2.0, 0.5)),
            r"GammaAugmentConfig: `gamma_range` must be a pair .* min <= max, got \(2.0, 0.5\)",
        ),
        (
            lambda: GammaAugmentConfig((0.0, 2.0)),
            r"GammaAugmentConfig: `gamma_range` .* 0 < min <= max, got \(0.0, 2.0\)",
        ),
        (
            lambda: ElasticAugmentConfig([4, 4], [1.0], (0, 1)),
            r"ElasticAugmentConfig: `control_point_spacing`, `control_point_displacement_sigma` "
            r"must have the same length .*, got \[4, 4\], \[1.0\]",
        ),
        (
            lambda: ElasticAugmentConfig([4, 0], [1, 1], (0, 1)),
            r"ElasticAugmentConfig: `control_point_spacing` .* > 0, got \[4, 0\]",
        ),
        (
            lambda: ElasticAugmentConfig([4], [-1.0], (0, 1)),
            r"`control_point_displacement_sigma` .* >= 0, got \[-1.0\]",
        ),
        (
            lambda: ElasticAugmentConfig([4], [1.0], (1, 0)),
            r"`rotation_interval` .* min <= max, got \(1, 0\)",
        ),
        (
            lambda: ElasticAugmentConfig([4], [1.0], (0, 1), subsample=0),
            "ElasticAugmentConfig: `subsample` must be an integer >= 1, got 0",
        ),
        (
            lambda: ElasticAugmentConfig([4], [1.0], (0, 1), augmentation_probability=1.5),
            r"ElasticAugmentConfig: `augmentation_probability` must be a number in \[0, 1\], "
            "got 1.5",
        ),
        (
            lambda: SimpleAugmentConfig(mirror_probs=[0.5, 2.0]),
            r"SimpleAugmentConfig: `mirror_probs` .* got 2.0",
        ),
        (lambda: SimpleAugmentConfig(transpose_probs=[-0.1]), r"`transpose_probs` .* got -0.1"),
        (
            lambda: SimpleAugmentConfig(mirror_only=[-1]),
            r"SimpleAugmentConfig: `mirror_only` must list spatial axis .*, got \[-1\]",
        ),
        (
            lambda: SimpleAugmentConfig(transpose_only=[1, 2], transpose_probs=[0, 1, 1]),
            "either `transpose_only` .* or `transpose_probs` .*, not both",
        ),
        (
            lambda: SimpleAugmentConfig(augmentation_probability=-1),
            "SimpleAugmentConfig: `augmentation_probability` .*, got -1",
        ),
        (
            lambda: IntensityAugmentConfig((1.2, 0.8), (0, 0)),
            r"IntensityAugmentConfig: `scale` must be a pair .*, got \(1.2, 0.8\)",
        ),
        (
            lambda: IntensityAugmentConfig((1, 1), (0.1, -0.1)),
            r"`shift` must be a pair .*, got \(0.1, -0.1\)",
        ),
        (
            lambda: IntensityAugmentConfig((1, 1), (0, 0), augmentation_probability=3),
            "IntensityAugmentConfig: `augmentation_probability` .*, got 3",
        ),
        (
            lambda: NoiseAugmentConfig(mode="localvar"),
            "NoiseAugmentConfig: `mode` must be one of .*, got 'localvar'",
        ),
        (lambda: NoiseAugmentConfig(mode="poisson", var=0.1), r"\['var'\] do not apply to mode"),
        (
            lambda: NoiseAugmentConfig(var=-0.1),
            "NoiseAugmentConfig: `var` must be a finite number >= 0 .*, got -0.1",
        ),
        (lambda: NoiseAugmentConfig(mode="salt", amount=1.5), r"`amount` .* got 1.5"),
        (
            lambda: NoiseAugmentConfig(augmentation_probability=2),
            "NoiseAugmentConfig: `augmentation_probability` .*, got 2",
        ),
    ],
)
def test_invalid_values_are_refused_when_made(make, match):
    with pytest.raises(ConfigError, match=match):
        make()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: GammaAugmentConfig((1.0,)), r"`gamma_range` must be a list of 2 values .*, "
                                             r"got \(1.0,\)"),
        (lambda: IntensityScaleShiftAugmentConfig("2", 0.0),
         "IntensityScaleShiftAugmentConfig: `scale` must be a number, got '2'; write the number"),
        (lambda: IntensityScaleShiftAugmentConfig(2.0, None), "`shift` must be a number, got None"),
        (lambda: NoiseAugmentConfig(mean="0"), "`mean` must be a number, got '0'"),
    ],
)
def test_wrong_types_are_refused_when_made(make, match):
    with pytest.raises(ConfigError, match=match):
        make()


def test_verify_reports_a_config_changed_after_construction():
    config = GammaAugmentConfig((0.5, 2.0))
    assert config.verify()[0] is True
    config.gamma_range = (3.0, 1.0)
    ok, reason = config.verify()
    assert not ok and "min <= max" in reason


def test_invalid_stored_values_are_refused_when_read():
    stored = {"__type__": "GammaAugmentConfig", "gamma_range": [2.0, -1.0]}
    with pytest.raises(ConfigError, match=r"GammaAugmentConfig: `gamma_range` .*, got \(2.0, -1.0\)"):
        converter.structure(stored, AugmentConfig)


def test_config_package_does_not_import_gunpowder():
    code = (
        "import sys; import dacapo.experiments.trainers.gp_augments; "
        "print('gunpowder' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
