from pathlib import Path

import pytest
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments.tasks import (
    AffinitiesTaskConfig,
    DistanceTaskConfig,
    DummyTaskConfig,
    HotDistanceTaskConfig,
    InnerDistanceTaskConfig,
    OneHotTaskConfig,
    PretrainedTaskConfig,
)
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.store.converter import converter

NEIGHBORHOOD = [Coordinate(1, 0, 0), Coordinate(0, 1, 0), Coordinate(0, 0, 1)]

CONFIGS = [
    DummyTaskConfig("dummy", 4, 0.3),
    DistanceTaskConfig("dist", ["mito", "er"], 40.0, 10.0, 30.0, False, 0.1, 0.8, loss="dice"),
    InnerDistanceTaskConfig("inner", ["cell"], 40.0, 0.0, 5.0),
    HotDistanceTaskConfig("hot", ["mito"], 40.0, 10.0, 2.0, True, kernel_size=3),
    OneHotTaskConfig("onehot", ["bg", "mito"], 5, loss="dice", clip_distance=8.0, tol_distance=0.0),
    AffinitiesTaskConfig(
        "affs", NEIGHBORHOOD, True, 5, 2, 0.5, 0.1, 0.9, 0.2, 0.8, True, grow_boundary_iterations=2,
        min_object_size=50,
    ),
    PretrainedTaskConfig("pre", DistanceTaskConfig("sub", ["mito"], 40.0, 10.0), Path("w.pt")),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: type(c).__name__)
def test_config_round_trips_through_the_converter(config):
    data = converter.unstructure(config)
    assert data["__type__"] == type(config).__name__
    assert converter.structure(data, TaskConfig) == config


def test_stored_forms_are_plain():
    data = converter.unstructure(CONFIGS[5])
    assert data["neighborhood"] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    pretrained = converter.unstructure(CONFIGS[6])
    assert pretrained["weights"] == "w.pt"
    assert pretrained["sub_task_config"]["__type__"] == "DistanceTaskConfig"


def test_defaults():
    distance = DistanceTaskConfig("d", ["a"], 1.0, 1.0)
    assert (distance.scale_factor, distance.mask_distances, distance.loss) == (1.0, True, "mse")
    assert (distance.clipmin, distance.clipmax) == (0.05, 0.95)
    affinities = AffinitiesTaskConfig("a", [(1, 0, 0)])
    assert affinities.neighborhood == [Coordinate(1, 0, 0)]
    assert (affinities.lsds, affinities.num_lsd_voxels, affinities.downsample_lsds) == (
        False,
        10,
        1,
    )
    assert HotDistanceTaskConfig("h", ["a"], 1.0, 1.0).mask_distances is False
    assert OneHotTaskConfig("o", ["a"]).loss == "cross_entropy"


def test_valid_configs_verify(tmp_path):
    (tmp_path / "w.pt").write_bytes(b"")
    configs = CONFIGS[:-1] + [
        PretrainedTaskConfig("pre", DistanceTaskConfig("sub", ["a"], 1.0, 1.0), tmp_path / "w.pt")
    ]
    for config in configs:
        assert config.verify() == (True, "No validation for this config")


# out-of-range values are refused when the config is made
BAD = [
    (
        lambda: DummyTaskConfig("d", 0, 0.5),
        "DummyTaskConfig 'd': `embedding_dims` must be an integer >= 1, got 0",
    ),
    (
        lambda: DummyTaskConfig("d", 2, -0.5),
        "'d': `detection_threshold` must be a finite number >= 0, got -0.5",
    ),
    (
        lambda: DistanceTaskConfig("d", [], 1.0, 1.0),
        r"DistanceTaskConfig 'd': `channels` must be a non-empty .*, got \[\]",
    ),
    (
        lambda: DistanceTaskConfig("d", ["a"], 0.0, 1.0),
        "'d': `clip_distance` must be a finite number > 0, got 0.0",
    ),
    (
        lambda: DistanceTaskConfig("d", ["a"], 1.0, -1.0),
        "'d': `tol_distance` must be a finite number >= 0, got -1.0",
    ),
    (
        lambda: DistanceTaskConfig("d", ["a"], 1.0, 1.0, scale_factor=0.0),
        "'d': `scale_factor` must be .*, got 0.0",
    ),
    (
        lambda: DistanceTaskConfig("d", ["a"], 1.0, 1.0, clipmin=0.9, clipmax=0.1),
        "DistanceTaskConfig 'd': `clipmin`, `clipmax` .* clipmin <= clipmax <= 1, got 0.9, 0.1",
    ),
    (
        lambda: DistanceTaskConfig("d", ["a"], 1.0, 1.0, loss="l1"),
        r"DistanceTaskConfig 'd': `loss` must be one of \['mse', 'dice'\], got 'l1'",
    ),
    (
        lambda: InnerDistanceTaskConfig("i", ["a", "a"], 1.0, 1.0),
        r"InnerDistanceTaskConfig 'i': `channels` .*, got \['a', 'a'\]; \['a'\] repeat",
    ),
    (
        lambda: HotDistanceTaskConfig("h", ["a"], 1.0, 1.0, kernel_size=4),
        "HotDistanceTaskConfig 'h': `kernel_size` must be odd, got 4",
    ),
    (
        lambda: HotDistanceTaskConfig("h", ["a"], 1.0, 1.0, kernel_size=0),
        "HotDistanceTaskConfig 'h': `kernel_size` must be an integer >= 1, got 0",
    ),
    (lambda: OneHotTaskConfig("o", ["a"], loss="mse"), "'o': `loss` must be one of .*, got 'mse'"),
    (lambda: OneHotTaskConfig("o", ["a"], clip_distance=-1.0), "'o': `clip_distance` must be .*, got -1.0"),
    (
        lambda: AffinitiesTaskConfig("a", []),
        r"AffinitiesTaskConfig 'a': `neighborhood` must be a non-empty .*got \[\]",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, num_lsd_voxels=0),
        "AffinitiesTaskConfig 'a': `num_lsd_voxels` must be an integer >= 1, got 0",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, downsample_lsds=0),
        "AffinitiesTaskConfig 'a': `downsample_lsds` must be an integer >= 1, got 0",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, grow_boundary_iterations=-2),
        "AffinitiesTaskConfig 'a': `grow_boundary_iterations` must be .* >= 0, got -2",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, min_object_size=-5),
        "AffinitiesTaskConfig 'a': `min_object_size` must be an integer >= 0, got -5",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, lsds_to_affs_weight_ratio=-1.0),
        "AffinitiesTaskConfig 'a': `lsds_to_affs_weight_ratio` must be .* >= 0, got -1.0",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, affs_weight_clipmax=1.5),
        "AffinitiesTaskConfig 'a': .*`affs_weight_clipmax` must satisfy .*, got 0.05, 1.5",
    ),
    (
        lambda: AffinitiesTaskConfig("a", NEIGHBORHOOD, lsd_weight_clipmin=0.0),
        "AffinitiesTaskConfig 'a': `lsd_weight_clipmin` must be a finite number > 0, got 0.0",
    ),
    (
        lambda: PretrainedTaskConfig("p", DistanceTaskConfig("sub", [], 1.0, 1.0), Path("w.pt")),
        r"DistanceTaskConfig 'sub': `channels` .*, got \[\]",
    ),
]

# wrong types are refused when the config is made, as are values (BAD)
WRONG_TYPES = [
    (
        lambda: OneHotTaskConfig("o", "bg"),
        "OneHotTaskConfig 'o': `classes` must be a list, each item a text, got 'bg'",
    ),
    (
        lambda: PretrainedTaskConfig("p", "not a config", Path("w.pt")),
        "PretrainedTaskConfig 'p': `sub_task_config` must be a TaskConfig, got 'not a config'",
    ),
]


@pytest.mark.parametrize(("make", "message"), WRONG_TYPES)
def test_wrong_types_are_refused_when_made(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


@pytest.mark.parametrize(("make", "message"), BAD)
def test_out_of_range_values_are_refused_when_made(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_a_value_changed_after_it_was_made_fails_verify_and_task_construction():
    config = DistanceTaskConfig("d", ["a"], 1.0, 1.0)
    config.scale_factor = 0.0  # configs are mutable; validate() checks the values again
    ok, reason = config.verify()
    assert not ok and "`scale_factor` must be a finite number > 0, got 0.0" in reason
    with pytest.raises(ConfigError, match="'d': `scale_factor` must be .*, got 0.0"):
        config.task_type(config)


def test_a_missing_weights_file_fails_verify_and_task_construction():
    # the file is checked by validate() only: a config may name weights made later
    sub = DistanceTaskConfig("sub", ["a"], 1.0, 1.0)
    config = PretrainedTaskConfig("p", sub, Path("missing.pt"))
    ok, reason = config.verify()
    assert not ok
    with pytest.raises(ConfigError, match="'p': weights file 'missing.pt' does not exist"):
        config.task_type(config)


def test_stored_config_with_a_wrong_field_type_is_an_error():
    data = converter.unstructure(CONFIGS[1])
    data["mask_distances"] = "yes"
    with pytest.raises(ConfigError, match="mask_distances"):
        converter.structure(data, TaskConfig)
