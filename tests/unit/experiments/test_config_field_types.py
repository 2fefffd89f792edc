"""Every config field holds a value of its annotated type, checked when the config
is made (``check_field_types`` in each config base) and again when it is stored.

The cases cover the usual mistakes a new user makes in Python or YAML: numbers
and booleans as text, fractions for integers, a text where a list is expected,
and lists whose items have the wrong type.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Literal, Optional, Tuple, Union

import attr
import pytest
from funlib.geometry import Coordinate

from dacapo._checks import check_type
from dacapo.errors import ConfigError
from dacapo.experiments.tasks import DistanceTaskConfig, PretrainedTaskConfig
from dacapo.experiments.trainers.gp_augments import SimpleAugmentConfig
from dacapo.store.file_config_store import FileConfigStore
from tests._validation_runs import distance_run_config
from tests.contracts.config_examples import EXAMPLES

# (config class, field, wrong value, what the message says after "`field` must be")
CASES = [
    ("DistanceTaskConfig", "channels", "mito", r"a list, each item a text, got 'mito'; write a list"),
    ("DistanceTaskConfig", "clip_distance", "8", r"a number, got '8'; write the number without"),
    ("DistanceTaskConfig", "mask_distances", "yes", r"True or False, got 'yes'; write True or"),
    ("DistanceTaskConfig", "scale_factor", True, r"a number, got True"),
    ("OneHotTaskConfig", "classes", ("a", 1), r"`classes\[1\]` must be a text, got 1"),
    ("AffinitiesTaskConfig", "neighborhood", [(1, 0, "0")],
     r"`neighborhood\[0\]` must be a list of integers \(one per axis\), got \(1, 0, '0'\)"),
    ("DummyTaskConfig", "embedding_dims", "3", r"an integer, got '3'; write the number"),
    ("CNNectomeUNetConfig", "input_shape", "44", r"a list of integers \(one per axis\), got '44'"),
    ("CNNectomeUNetConfig", "input_shape", (20.5, 20, 20), r"a list of integers .*got \(20\.5"),
    ("CNNectomeUNetConfig", "fmaps_in", 1.0, r"an integer, got 1\.0; write 1 \(a whole number\)"),
    ("CNNectomeUNetConfig", "downsample_factors", [(2, 2, "2")],
     r"`downsample_factors\[0\]` must be a list of integers"),
    ("CNNectomeUNetConfig", "kernel_size_down", "3", r"a list, each item a list.*got '3'"),
    ("CNNectomeUNetConfig", "padding", 0, r"`padding` must be a text, got 0"),
    ("ModelZooConfig", "model_id", ["x"], r"`model_id` must be a text, got \['x'\]"),
    ("WrappedArchitectureConfig", "input_shape", "88", r"a list of integers .*got '88'"),
    ("GunpowderTrainerConfig", "batch_size", "4", r"`batch_size` must be an integer, got '4'"),
    ("GunpowderTrainerConfig", "learning_rate", "1e-3", r"a number, got '1e-3'; write the"),
    ("GunpowderTrainerConfig", "min_masked", "0.5", r"`min_masked` must be a number, got '0\.5'"),
    ("GunpowderTrainerConfig", "augments", SimpleAugmentConfig(),
     r"`augments` must be a list, each item an AugmentConfig, got SimpleAugmentConfig"),
    ("GunpowderTrainerConfig", "clip_raw", 1, r"`clip_raw` must be True or False, got 1"),
    ("DummyTrainerConfig", "learning_rate", [0.1], r"`learning_rate` must be a number"),
    ("ZarrArrayConfig", "dataset", ["labels"], r"`dataset` must be a text, got \['labels'\]"),
    ("ZarrArrayConfig", "axes", "zyx", r"`axes` must be a list, each item a text, got 'zyx'"),
    ("ZarrArrayConfig", "snap_to_grid", "4", r"`snap_to_grid` must be a list of integers"),
    ("ZarrArrayConfig", "snap_to_grid", [None, 4], r"`snap_to_grid` must be a list of integers"),
    ("ZarrArrayConfig", "file_name", 5, r"`file_name` must be a Path, got 5"),
    ("TiffArrayConfig", "voxel_size", [4.5, 4, 4], r"`voxel_size` must be a list of integers"),
    ("TiffArrayConfig", "axis_names", "zyx", r"`axis_names` must be a list"),
    ("DVIDArrayConfig", "source", "abc", r"`source` must be a list of 3 values \(a text, a text"),
    ("BinarizeArrayConfig", "groupings", [("mito", [1, "2"])],  # its own validator
     r"grouping \('mito', \[1, '2'\]\) is not a \(name, list of int ids\) pair"),
    ("RawGTDatasetConfig", "weight", "2", r"`weight` must be an integer, got '2'"),
    ("RawGTDatasetConfig", "sample_points", [[1.5, 2, 3]],
     r"`sample_points\[0\]` must be a list of integers"),
    ("RawGTDatasetConfig", "raw_config", "raw.zarr", r"`raw_config` must be an ArrayConfig"),
    ("TrainValidateDataSplitConfig", "train_configs", ["crop"],
     r"`train_configs\[0\]` must be a DatasetConfig, got 'crop'"),
    ("SimpleDataSplitConfig", "path", 5, r"`path` must be a Path, got 5"),
    ("StartConfig", "run", 5, r"`run` must be a text, got 5"),
    ("CosemStartConfig", "weights_file", 5, r"`weights_file` must be a Path, got 5"),
]


@pytest.mark.parametrize(("cls", "field", "value", "match"), CASES, ids=lambda v: repr(v)[:30])
def test_a_wrong_type_is_refused_when_made(tmp_path, cls, field, value, match):
    config = EXAMPLES[cls](tmp_path)
    with pytest.raises(ConfigError, match=match) as error:
        attr.evolve(config, **{field: value})
    assert re.match(rf"{cls}[ :]", str(error.value))  # names the config


def test_an_augment_gets_its_own_check(tmp_path):
    with pytest.raises(ConfigError, match=r"SimpleAugmentConfig: `mirror_only` must be a list, "
                                          r"each item an integer, got '12'; write a list"):
        SimpleAugmentConfig(mirror_only="12")


@pytest.fixture
def run(tmp_path):
    return distance_run_config(tmp_path / "data.zarr", name="r1")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda r: setattr(r.trainer_config, "batch_size", "2"),
         r"cannot store run config 'r1', field trainer_config: GunpowderTrainerConfig 'gp': "
         r"`batch_size` must be an integer, got '2'"),
        (lambda r: setattr(r.trainer_config, "batch_size", 0),  # a range, checked by validate()
         r"field trainer_config: GunpowderTrainerConfig 'gp': `batch_size` must be an integer "
         r">= 1, got 0"),
        (lambda r: setattr(r.architecture_config, "downsample_factors", [(2, 2, 2)]),
         r"field architecture_config: CNNectomeUNetConfig 'unet': downsample_factors entry "
         r"\(2, 2, 2\) has 3 dimensions"),
        (lambda r: setattr(r.task_config, "channels", "cell"),
         r"field task_config: DistanceTaskConfig 'cells': `channels` must be a list"),
        (lambda r: setattr(r.datasplit_config, "path", 5),
         r"field datasplit_config: SimpleDataSplitConfig 'split': `path` must be a Path"),
    ],
)
def test_a_config_changed_after_it_was_made_is_not_stored(tmp_path, run, change, match):
    change(run)
    store = FileConfigStore(tmp_path / "configs")
    with pytest.raises(ConfigError, match=match):
        store.store_run_config(run)
    assert list((tmp_path / "configs").rglob("*.yaml")) == []


def test_configs_that_read_files_are_stored_before_the_files_exist(tmp_path):
    # stores check these in type only: their data or weights may come later
    store = FileConfigStore(tmp_path / "configs")
    task = PretrainedTaskConfig("ft", DistanceTaskConfig("base", ["mito"], 40.0, 10.0),
                                Path("weights/later.pt"))
    store.store_task_config(task)
    assert store.retrieve_task_config("ft") == task


# --- check_type on its own -------------------------------------------------------

GOOD = [
    (3, int), (3, float), (2.5, float), (True, bool), ("a", str), (None, Optional[int]),
    ([1, 2], List[int]), ((1, 2), List[int]), ((1, 2.5), Tuple[int, float]),
    ([1, 2, 3], Tuple[int, ...]), ({"a": 1}, Dict[str, int]), ("x", Literal["x", "y"]),
    (Coordinate(1, 2), Coordinate), ([1, 2], Coordinate), ("p", Path), (Path("p"), Path),
    (4, Union[int, str]), ("4", Union[int, str]),
]
BAD = [
    (True, int, r"`f` must be an integer, got True"),
    ("3", float, r"`f` must be a number, got '3'; write the number without quotes"),
    ("abc", int, r"`f` must be an integer, got 'abc'$"),
    (3.0, int, r"`f` must be an integer, got 3\.0; write 3 \(a whole number\)"),
    ("true", bool, r"`f` must be True or False, got 'true'; write True or False without quotes"),
    ([1, "2"], List[int], r"`f\[1\]` must be an integer, got '2'"),
    ((1,), Tuple[int, int], r"`f` must be a list of 2 values \(an integer, an integer\), got"),
    ({"a": "1"}, Dict[str, int], r"`f\['a'\]` must be an integer, got '1'"),
    ({1: 1}, Dict[str, int], r"`f key` must be a text, got 1"),
    ("z", Literal["x", "y"], r"`f` must be one of \['x', 'y'\], got 'z'"),
    ([1.5, 2], Coordinate, r"`f` must be a list of integers \(one per axis\)"),
    ([1, None], Coordinate, r"`f` must be a list of integers \(one per axis\), got \[1, None\]"),
    (4.5, Union[int, str], r"`f` must be an integer or a text, got 4\.5"),
    ("ab", List[str], r"`f` must be a list, each item a text, got 'ab'; write a list"),
]


@pytest.mark.parametrize(("value", "tp"), GOOD, ids=repr)
def test_check_type_accepts(value, tp):
    assert check_type("Owner", "f", value, tp) is value


@pytest.mark.parametrize(("value", "tp", "match"), BAD, ids=repr)
def test_check_type_refuses(value, tp, match):
    with pytest.raises(ConfigError, match=rf"^Owner: {match}"):
        check_type("Owner", "f", value, tp)
