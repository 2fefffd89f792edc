"""Contract of every registered config class: out-of-range values are refused
when the config is made, with a ``ConfigError`` naming the class, the field and
the value given.

``OUT_OF_RANGE`` lists, per class, values of the right type that its rules
refuse; each is tried on the class's contract example (``config_examples.py``,
``test_augment_configs.py``) through ``attr.evolve``, which makes a new config
as a user's constructor call would. A class without range rules is listed in
``WITHOUT_RANGE_RULES`` with the reason; a registered config class in neither
table fails, so a new class must say which it is.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

import attr
import pytest
from funlib.geometry import Coordinate

from dacapo._registry import all_registries
from dacapo.errors import ConfigError
from dacapo.experiments._checked_config import CheckedConfig
from tests.contracts.config_examples import EXAMPLES
from tests.contracts.test_augment_configs import EXAMPLES as AUGMENT_EXAMPLES

C = Coordinate
# class name -> [(field, out-of-range value, what the message says)]
OUT_OF_RANGE: Dict[str, List[Tuple[str, Any, str]]] = {
    # tasks
    "DummyTaskConfig": [
        ("embedding_dims", 0, r"`embedding_dims` must be an integer >= 1, got 0"),
        ("detection_threshold", -0.1, r"`detection_threshold` must be .* >= 0, got -0.1"),
    ],
    "DistanceTaskConfig": [
        ("scale_factor", -1.0, r"`scale_factor` must be a finite number > 0, got -1.0"),
        ("clip_distance", 0.0, r"`clip_distance` must be a finite number > 0, got 0.0"),
        ("tol_distance", float("nan"), r"`tol_distance` must be a finite number >= 0, got nan"),
        ("clipmax", 1.5, r"`clipmin`, `clipmax` must satisfy .*, got 0.1, 1.5"),
        ("loss", "l2", r"`loss` must be one of \['mse', 'dice'\], got 'l2'"),
        ("channels", [], r"`channels` must be a non-empty list .*, got \[\]"),
    ],
    "InnerDistanceTaskConfig": [
        ("scale_factor", 0.0, r"`scale_factor` must be a finite number > 0, got 0.0"),
        ("channels", ["a", "a"], r"`channels` must be a list of unique names"),
    ],
    "HotDistanceTaskConfig": [
        ("kernel_size", 2, r"`kernel_size` must be odd, got 2"),
        ("tol_distance", -1.0, r"`tol_distance` must be a finite number >= 0, got -1.0"),
    ],
    "OneHotTaskConfig": [
        ("classes", [""], r"`classes` must be a non-empty list of non-empty names"),
        ("kernel_size", -1, r"`kernel_size` must be an integer >= 1, got -1"),
        ("loss", "mse", r"`loss` must be one of .*, got 'mse'"),
    ],
    "AffinitiesTaskConfig": [
        ("neighborhood", [C(0, 0, 0)], r"`neighborhood` must be a list of distinct, non-zero"),
        ("num_lsd_voxels", 0, r"`num_lsd_voxels` must be an integer >= 1, got 0"),
        ("min_object_size", -1, r"`min_object_size` must be an integer >= 0, got -1"),
        ("affs_weight_clipmin", 0.99, r"`affs_weight_clipmin`, `affs_weight_clipmax` must"),
    ],
    "PretrainedTaskConfig": [
        ("sub_task_config", "ignored", r"`sub_task_config` must be a TaskConfig"),
    ],
    # architectures
    "CNNectomeUNetConfig": [
        ("num_fmaps", 0, r"num_fmaps must be a positive integer, got 0"),
        ("padding", "full", r"padding must be 'valid' or 'same', got 'full'"),
        ("input_shape", C(131, 132, 132), r"along axis 0 \(size 131\)"),
        ("downsample_factors", [C(2, 0, 2)], r"downsample_factors entry \(2, 0, 2\) must be >= 1"),
    ],
    "DummyArchitectureConfig": [
        ("num_out_channels", 0, r"num_out_channels must be a positive integer, got 0"),
    ],
    "WrappedArchitectureConfig": [
        ("fmaps_in", 0, r"fmaps_in must be a positive integer, got 0"),
        ("input_shape", C(8, -8, 8), r"`input_shape` must be integers >= 1"),
        ("trainable_parameters", "(", r"`trainable_parameters` must be a valid regular"),
    ],
    "ModelZooConfig": [
        ("trainable_layers", "[", r"`trainable_layers` must be a valid regular expression"),
    ],
    # trainers and augments
    "DummyTrainerConfig": [
        ("batch_size", 0, r"`batch_size` must be an integer >= 1, got 0"),
        ("learning_rate", -1e-4, r"`learning_rate` must be a finite number > 0, got -0.0001"),
    ],
    "GunpowderTrainerConfig": [
        ("batch_size", -2, r"`batch_size` must be an integer >= 1, got -2"),
        ("learning_rate", float("inf"), r"`learning_rate` must be a finite number > 0, got inf"),
        ("num_data_fetchers", -1, r"`num_data_fetchers` must be an integer >= 0, got -1"),
        ("snapshot_interval", 0, r"`snapshot_interval` must be an integer >= 1 \(or None\)"),
        ("min_masked", 1.01, r"`min_masked` must be a number in \[0, 1\] \(or None\), got 1.01"),
        ("warmup_iterations", -1, r"`warmup_iterations` must be an integer >= 0, got -1"),
        ("random_seed", 2**32, r"`random_seed` must be an integer in \[0, 4294967295\]"),
        ("sample_strategy", "everywhere", r"unknown `sample_strategy` 'everywhere'"),
    ],
    "ElasticAugmentConfig": [
        ("rotation_interval", (0, -99), r"`rotation_interval` must be a pair \(min, max\)"),
        ("control_point_spacing", [4, 0, 4], r"`control_point_spacing` must be a non-empty"),
        ("control_point_displacement_sigma", [1.0], r"must have the same length"),
        ("augmentation_probability", 1.5, r"`augmentation_probability` must be a number in"),
    ],
    "GammaAugmentConfig": [
        ("gamma_range", (-1.0, 2.0), r"`gamma_range` must be a pair .* 0 < min <= max"),
    ],
    "IntensityAugmentConfig": [
        ("scale", (2.0, 1.0), r"`scale` must be a pair \(min, max\) of numbers with min <= max"),
        ("augmentation_probability", -0.5, r"`augmentation_probability` must be a number in"),
    ],
    "IntensityScaleShiftAugmentConfig": [
        ("scale", float("inf"), r"`scale` must be a finite number, got inf"),
    ],
    "NoiseAugmentConfig": [
        ("mode", "blur", r"`mode` must be one of .*, got 'blur'"),
        ("amount", 2.0, r"`amount` must be a number in \[0, 1\] \(or None\), got 2.0"),
    ],
    "SimpleAugmentConfig": [
        ("mirror_probs", [0.5, 1.5, 0.5], r"`mirror_probs` must be a number in \[0, 1\], got 1.5"),
        ("mirror_only", [-1], r"`mirror_only` must list spatial axis indices"),
    ],
    # starts and runs
    "CosemStartConfig": [
        ("channels", ["ecs", "ecs"], r"channels \['ecs', 'ecs'\] repeat a name"),
    ],
    "RunConfig": [
        ("num_iterations", 0, r"`num_iterations` must be an integer >= 1, got 0"),
        ("validation_interval", -5, r"`validation_interval` must be an integer >= 1, got -5"),
        ("repetition", -1, r"`repetition` must be an integer >= 0, got -1"),
    ],
    # datasets and datasplits
    "RawGTDatasetConfig": [("weight", -1, r"`weight` must be an integer >= 0, got -1")],
    "DummyDatasetConfig": [("weight", -3, r"`weight` must be an integer >= 0, got -3")],
    "TrainValidateDataSplitConfig": [("train_configs", [], r"train_configs is empty")],
    # arrays
    "ZarrArrayConfig": [
        ("snap_to_grid", C(0, 4, 4), r"`snap_to_grid` must be positive integers"),
        ("mode", "x", r"mode 'x' is not one of"),
    ],
    "TiffArrayConfig": [
        ("voxel_size", C(4, 0, 4), r"voxel size \(4, 0, 4\) must be positive integers"),
        ("offset", C(1, 0, 0), r"offset \(1, 0, 0\) is not on the voxel grid"),
    ],
    "DVIDArrayConfig": [
        ("source", ("http://server", "", "grayscale"), r"should be three non-empty strings"),
    ],
    "BinarizeArrayConfig": [("groupings", [], r"`groupings` must be a non-empty list")],
    "MissingAnnotationsMaskConfig": [
        ("groupings", [("a", [1]), ("a", [2])], r"group names must be unique"),
    ],
    "ConcatArrayConfig": [("channels", [], r"`channels` must be a non-empty list")],
    "IntensitiesArrayConfig": [("max", -1.0, r"`max` \(-1.0\) must be greater than `min`")],
    "ResampledArrayConfig": [
        ("interp_order", 6, r"`interp_order` must be an int from 0 to 5"),
        ("upsample", C(-1, 1, 1), r"`upsample` must be non-negative integers"),
    ],
    "MergeInstancesArrayConfig": [
        ("source_array_configs", [], r"`source_array_configs` must be a non-empty list"),
    ],
    "SumArrayConfig": [
        ("source_array_configs", [], r"`source_array_configs` must be a non-empty list"),
    ],
}

# class name -> why no value of the right type is out of range
WITHOUT_RANGE_RULES: Dict[str, str] = {
    "StartConfig": "a run name and a criterion: any text (checked against the store later)",
    "SimpleDataSplitConfig": "a path and group names, checked when the container is read",
    "DummyDataSplitConfig": "a test fixture holding one dataset config",
    "DummyArrayConfig": "a test fixture with a name only",
    "OnesArrayConfig": "a source config only",
    "LogicalOrArrayConfig": "a source config only",
    "ConstantArrayConfig": "any integer constant is valid",
    "CropArrayConfig": "any ROI; whether it meets the source's grid is known when opened",
}


def _registered() -> List[str]:
    return sorted(
        cls.__name__
        for registry in all_registries().values()
        for cls in registry.concrete()
        if issubclass(cls, CheckedConfig)
    )


CASES = [
    pytest.param(name, field, value, match, id=f"{name}.{field}={value!r}"[:60])
    for name, cases in OUT_OF_RANGE.items()
    for field, value, match in cases
]


@pytest.fixture(scope="module")
def examples_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("examples")


def _example(name: str, tmp_path):
    if name in AUGMENT_EXAMPLES:
        return AUGMENT_EXAMPLES[name]()
    return EXAMPLES[name](tmp_path)


@pytest.mark.parametrize(("name", "field", "value", "match"), CASES)
def test_an_out_of_range_value_is_refused_when_made(examples_dir, name, field, value, match):
    example = _example(name, examples_dir)  # made: its values are in range
    with pytest.raises(ConfigError, match=match) as error:
        attr.evolve(example, **{field: value})
    assert re.match(rf"{name}\b", str(error.value)), "the message names the config class"


def test_every_config_class_says_whether_it_has_range_rules():
    registered = set(_registered())
    missing = sorted(registered - set(OUT_OF_RANGE) - set(WITHOUT_RANGE_RULES))
    assert not missing, f"add out-of-range values (or a reason for none) for {missing}"
    assert set(OUT_OF_RANGE) | set(WITHOUT_RANGE_RULES) <= registered


def test_the_config_bases_check_values_when_a_config_is_made():
    bases = {"ArchitectureConfig", "ArrayConfig", "AugmentConfig", "DataSplitConfig",
             "DatasetConfig", "RunConfig", "StartConfig", "TaskConfig", "TrainerConfig"}
    registries = all_registries()
    assert {b for b in bases if issubclass(registries[b].base, CheckedConfig)} == bases
