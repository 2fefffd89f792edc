"""``RunConfig`` checks its own fields when it is made and again when it is stored."""

from __future__ import annotations

import re

import attr
import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments import RunConfig
from dacapo.store.file_config_store import FileConfigStore
from tests._validation_runs import distance_run_config


@pytest.fixture
def run(tmp_path) -> RunConfig:
    return distance_run_config(tmp_path / "data.zarr", name="r1")


POSITIVE = ["num_iterations", "validation_interval"]

BAD_COUNTS = [
    # (value, what the message says after "got <value>")
    ("4", r"write the number without quotes"),
    (4.0, r"write 4 \(a whole number, not 4\.0\)"),
    (4.5, r"e\.g\. "),
    (True, r"e\.g\. "),
    (0, r"e\.g\. "),
    (-3, r"e\.g\. "),
    (None, r"e\.g\. "),
    ([4], r"e\.g\. "),
]


@pytest.mark.parametrize("field", POSITIVE)
@pytest.mark.parametrize(("value", "fix"), BAD_COUNTS, ids=repr)
def test_positive_counts_are_checked_when_made(run, field, value, fix):
    got = re.escape(repr(value))
    message = rf"RunConfig 'r1': `{field}` must be an integer >= 1, got {got}.*; .*{fix}"
    with pytest.raises(ConfigError, match=message):
        attr.evolve(run, **{field: value})


@pytest.mark.parametrize(("value", "fix"), [("0", "without quotes"), (-1, r"e\.g\. repetition=0"),
                                            (1.5, "e.g."), (False, "e.g.")], ids=repr)
def test_repetition_is_a_non_negative_integer(run, value, fix):
    with pytest.raises(ConfigError, match=rf"`repetition` must be an integer >= 0.*{fix}"):
        attr.evolve(run, repetition=value)


@pytest.mark.parametrize(
    ("name", "why"),
    [("", "a non-empty text"), ("a/b", "a name without /"), ("..", r"a name without \.\."),
     ("tab\there", "a name without control characters"), (5, "a non-empty text"),
     (None, "a non-empty text")],
    ids=repr,
)
def test_the_name_must_be_usable_as_a_file_name(run, name, why):
    with pytest.raises(ConfigError, match=rf"RunConfig[^:]*: `name` must be {why}"):
        attr.evolve(run, name=name)


def test_numpy_integers_are_integers(run):
    evolved = attr.evolve(run, num_iterations=np.int64(7), repetition=np.uint8(2))
    assert evolved.num_iterations == 7 and type(evolved.num_iterations) is int


def test_nested_configs_must_be_configs(run):
    with pytest.raises(ConfigError, match=r"RunConfig 'r1': `trainer_config` must be a "
                                          r"TrainerConfig, got 'gp'"):
        attr.evolve(run, trainer_config="gp")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("num_iterations", "4", r"`num_iterations` must be an integer >= 1, got '4'"),
        ("validation_interval", 0, r"`validation_interval` must be an integer >= 1, got 0"),
    ],
)
def test_a_run_changed_after_it_was_made_is_not_stored(tmp_path, run, field, value, match):
    store = FileConfigStore(tmp_path / "configs")
    setattr(run, field, value)
    with pytest.raises(ConfigError, match=match):
        run.validate()
    with pytest.raises(ConfigError, match=match):
        store.store_run_config(run)
    assert not (tmp_path / "configs" / "runs").exists() or not any(
        (tmp_path / "configs" / "runs").iterdir()
    )
