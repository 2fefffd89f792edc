"""Contract every augment config meets, run over every registered concrete
``AugmentConfig``: it stores and reads back unchanged, verifies, and its node
runs in a training-like pipeline (raw, gt, mask) without changing geometry,
dtypes or the config. Add an example below for each new augment config.
"""

from __future__ import annotations

import math
from typing import Callable, Dict

import gunpowder as gp
import numpy as np
import pytest
import yaml
from funlib.geometry import Roi

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

# registered class name -> an instance with non-default values
EXAMPLES: Dict[str, Callable[[], AugmentConfig]] = {
    "ElasticAugmentConfig": lambda: ElasticAugmentConfig(
        [4, 4, 4], [1.0, 1.0, 1.0], (0.0, math.pi / 2), subsample=2,
        uniform_3d_rotation=True, augmentation_probability=0.9,
    ),
    "GammaAugmentConfig": lambda: GammaAugmentConfig((0.5, 2.0)),
    "IntensityAugmentConfig": lambda: IntensityAugmentConfig(
        (0.8, 1.2), (-0.1, 0.1), clip=True, augmentation_probability=0.5
    ),
    "IntensityScaleShiftAugmentConfig": lambda: IntensityScaleShiftAugmentConfig(2.0, -1.0),
    "NoiseAugmentConfig": lambda: NoiseAugmentConfig(mode="s&p", amount=0.1, salt_vs_pepper=0.3),
    "SimpleAugmentConfig": lambda: SimpleAugmentConfig(
        mirror_only=[1, 2], mirror_probs=[0.0, 0.5, 0.5],
        transpose_probs=[0.0, 0.5, 0.5], augmentation_probability=0.8,
    ),
}
ALL = [cls.__name__ for cls in AugmentConfig.registry().concrete()]
RAW, GT, MASK = gp.ArrayKey("RAW"), gp.ArrayKey("GT"), gp.ArrayKey("MASK")
SHAPE, VOXEL_SIZE = (6, 8, 8), (4, 2, 2)
REQUEST = {
    RAW: Roi((4, 4, 4), (16, 8, 8)),
    GT: Roi((8, 6, 6), (8, 4, 4)),
    MASK: Roi((8, 6, 6), (8, 4, 4)),
}


@pytest.fixture
def example(request):
    name = request.param
    if name not in EXAMPLES:
        pytest.fail(f"{name} is a registered AugmentConfig without an example; add one here")
    config = EXAMPLES[name]()
    assert type(config).__name__ == name
    return config


def _sources():
    rng = np.random.default_rng(0)
    data = {
        RAW: rng.uniform(0, 1, SHAPE).astype(np.float32),
        GT: rng.integers(0, 4, SHAPE).astype(np.uint64) * 3,
        MASK: np.ones(SHAPE, dtype=np.uint8),
    }
    roi = Roi((0, 0, 0), tuple(s * v for s, v in zip(SHAPE, VOXEL_SIZE)))
    sources = tuple(
        DaCapoArraySource(NumpyArray.from_np_array(d, roi, VOXEL_SIZE, "zyx"), key)
        + gp.Pad(key, None)
        for key, d in data.items()
    )
    return sources, data


def test_registry_is_not_empty():
    assert "GammaAugmentConfig" in ALL


@pytest.mark.parametrize("name", ALL)
def test_has_an_example(name):
    assert name in EXAMPLES, f"add an example for {name} to {__file__}"


def test_every_example_is_registered():
    assert sorted(set(EXAMPLES) - set(ALL)) == []


@pytest.mark.parametrize("example", ALL, indirect=True)
def test_store_round_trip(example):
    stored = yaml.safe_dump(converter.unstructure(example))
    loaded = converter.structure(yaml.safe_load(stored), AugmentConfig)
    assert type(loaded) is type(example)
    assert loaded == example


@pytest.mark.parametrize("example", ALL, indirect=True)
def test_verify(example):
    ok, reason = example.verify()
    assert ok, reason


@pytest.mark.parametrize("example", ALL, indirect=True)
def test_is_validated_when_built_not_when_created(example):
    # like every config: on construction only the field types are checked (by the
    # base class); values are checked by validate() (dacapo.build, the trainer
    # config's validate, verify, storing), so a stored config with a bad value loads
    assert type(example).__attrs_post_init__ is AugmentConfig.__attrs_post_init__


@pytest.mark.parametrize("example", ALL, indirect=True)
def test_node_runs_in_a_training_pipeline(example):
    before = converter.unstructure(example)
    sources, data = _sources()
    node = example.node(RAW, GT, MASK)
    assert isinstance(node, gp.BatchProvider)
    pipeline = sources + gp.MergeProvider() + node
    with gp.build(pipeline):
        for seed in range(3):
            request = gp.BatchRequest(random_seed=seed)
            for key, roi in REQUEST.items():
                request[key] = gp.ArraySpec(roi=roi)
            batch = pipeline.request_batch(request)
            for key, roi in REQUEST.items():
                assert batch[key].spec.roi == roi
                assert batch[key].data.shape == tuple(roi.shape / gp.Coordinate(VOXEL_SIZE))
                assert batch[key].data.dtype == data[key].dtype
            # no augmentation invents labels or mask values
            assert set(np.unique(batch[GT].data)) <= set(np.unique(data[GT]))
            assert set(np.unique(batch[MASK].data)) <= {1}
    assert converter.unstructure(example) == before
