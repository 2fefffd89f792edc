"""The demo's settings: checked values, the validation interval, and what a
stored settings record turns back into."""

from __future__ import annotations

import pytest

from dacapo._demo.settings import DemoSettings
from dacapo.errors import ConfigError


def test_defaults_are_the_full_demo():
    settings = DemoSettings()
    assert (settings.volume_size, settings.crop_size, settings.workers) == (256, 128, 2)
    assert settings.iterations >= 300


@pytest.mark.parametrize("iterations, interval, expected", [
    (600, None, 200), (10, None, 4), (1, None, 1), (10, 4, 4), (10, 50, 10),
])
def test_the_interval_defaults_to_three_validations(iterations, interval, expected):
    settings = DemoSettings(iterations=iterations, validation_interval=interval)
    assert settings.interval == expected


@pytest.mark.parametrize("field, value, match", [
    ("iterations", 0, r"dacapo demo: `iterations` must be an integer >= 1, got 0"),
    ("crop_size", 20, r"`crop_size` must be an integer >= 50, got 20"),
    ("volume_size", 2.5, r"`volume_size` must be an integer >= 48, got 2.5"),
    ("workers", True, r"`workers` must be an integer >= 1, got True"),
    ("validation_interval", 0, r"`validation_interval` must be an integer >= 1 \(or None\), got 0"),
])
def test_bad_values_are_named(field, value, match):
    with pytest.raises(ConfigError, match=match):
        DemoSettings(**{field: value})


def test_a_record_round_trips_and_bad_records_are_none():
    settings = DemoSettings(iterations=7, crop_size=64)
    assert DemoSettings.from_dict(settings.to_dict()) == settings
    assert DemoSettings.from_dict({"iterations": 0}) is None
    assert DemoSettings.from_dict({"colour": "red"}) is None
    assert DemoSettings.from_dict(["not", "a", "dict"]) is None


def test_differences_name_old_and_new_values():
    old, new = DemoSettings(), DemoSettings(iterations=5, workers=1)
    assert new.differences(old) == f"iterations {old.iterations} -> 5, workers 2 -> 1"
