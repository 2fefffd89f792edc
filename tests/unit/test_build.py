"""dacapo.build: the one way from a config to its runtime object."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dacapo
from dacapo._build import build, runtime_class
from dacapo._registry import all_registries
from dacapo.errors import ArrayNotFoundError, ConfigError
from dacapo.experiments.architectures import CNNectomeUNetConfig, DummyArchitectureConfig
from dacapo.experiments.datasplits.datasets.arrays import (
    DummyArray,
    DummyArrayConfig,
    ZarrArrayConfig,
)

PACKAGE = Path(dacapo.__file__).parent
RUNTIME_ATTRIBUTES = {
    registry.runtime_attribute
    for registry in all_registries().values()
    if registry.runtime_attribute
}


def test_build_is_public_and_constructs_the_runtime_class():
    assert dacapo.build is build
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    architecture = build(config)
    assert isinstance(architecture, runtime_class(config))
    assert architecture.num_out_channels == 2


def test_build_validates_before_constructing(tmp_path):
    config = ZarrArrayConfig("raw", tmp_path / "missing.zarr", "raw")
    with pytest.raises(ArrayNotFoundError, match="ZarrArrayConfig 'raw': container .*missing.zarr"):
        build(config)


def test_the_upstream_spelling_validates_too():
    bad = CNNectomeUNetConfig(
        "unet", input_shape=(64, 64), fmaps_out=4, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[(2, 2)],
    )
    bad.kernel_size_down = []  # refused when made; changed afterwards, checked when built
    assert bad.verify()[0] is False
    with pytest.raises(ConfigError, match="CNNectomeUNetConfig 'unet'"):
        bad.architecture_type(bad)


def test_the_type_attribute_still_stands_for_the_class():
    config = DummyArrayConfig("d")
    assert DummyArrayConfig.array_type is DummyArray
    assert config.array_type == DummyArray
    assert isinstance(config.array_type(config), config.array_type)
    assert issubclass(DummyArray, config.array_type)
    assert config.array_type.__name__ == "DummyArray"


def test_fixtures_are_never_valid_but_build():
    config = DummyArrayConfig("d")
    assert config.verify()[0] is False
    assert build(config).shape == (100, 50, 50)


def test_build_refuses_what_is_not_a_config():
    with pytest.raises(ConfigError, match="build: expected a dacapo config .*got dict"):
        build({"name": "raw"})


def test_every_config_with_a_runtime_kind_names_a_class():
    for registry in all_registries().values():
        if not registry.runtime_attribute:
            continue
        for cls in registry.concrete():
            assert isinstance(getattr(cls, registry.runtime_attribute), type), cls


def _direct_constructions(path: Path):
    """Calls like ``config.array_type(config)`` in one module."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNTIME_ATTRIBUTES
        ):
            yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"


def test_every_runtime_object_in_the_package_is_built_through_build():
    allowed = {PACKAGE / "_build.py"}
    found = [
        where
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in allowed
        for where in _direct_constructions(path)
    ]
    # one sanctioned exception: a config that opens itself while validating
    assert found == [
        "dacapo/experiments/datasplits/datasets/raw_gt_dataset_config.py:"
        + str(_line_of("raw_gt_dataset_config.py", "type(self).dataset_type(self)"))
    ]


def _line_of(file_name: str, text: str) -> int:
    path = next(PACKAGE.rglob(file_name))
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)
