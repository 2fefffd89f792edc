"""Config registries: auto-registration, duplicates, did-you-mean lookups."""

import attr
import pytest

from dacapo._registry import RegisteredConfig, all_registries, registry_for
from dacapo.errors import ConfigError, UnknownTypeError
from tests._registries import unregister


@attr.s
class _ToyBase(RegisteredConfig, registry_root=True, abstract=True):
    name: str = attr.ib()


@attr.s
class ToyAlphaConfig(_ToyBase):
    pass


@attr.s(slots=True)
class ToySlottedConfig(_ToyBase):
    size: int = attr.ib(default=1)


# a test-only registry: reachable through _ToyBase.registry(), not all_registries()
unregister(_ToyBase)


def test_subclasses_register_under_their_class_name():
    registry = _ToyBase.registry()
    assert registry.get("ToyAlphaConfig") is ToyAlphaConfig
    # attrs rebuilds slotted classes: the rebuilt class is the registered one
    assert registry.get("ToySlottedConfig") is ToySlottedConfig
    assert [c.__name__ for c in registry.concrete()] == ["ToyAlphaConfig", "ToySlottedConfig"]


def test_a_second_class_with_the_same_name_fails_at_definition():
    namespace = {"__module__": "somewhere.else", "__qualname__": "ToyAlphaConfig"}
    with pytest.raises(ConfigError, match="'ToyAlphaConfig' is already registered"):
        type("ToyAlphaConfig", (_ToyBase,), namespace)


def test_unknown_name_lists_known_names_and_the_closest():
    with pytest.raises(UnknownTypeError, match="did you mean 'ToyAlphaConfig'") as info:
        _ToyBase.registry().get("ToyAlpaConfig")
    assert "Known: ToyAlphaConfig, ToySlottedConfig" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_registries_exist_for_every_config_base():
    expected = {
        "ArrayConfig", "DatasetConfig", "DataSplitConfig", "ArchitectureConfig",
        "TaskConfig", "TrainerConfig", "AugmentConfig", "StartConfig",
        "PostProcessorParameters", "EvaluationScores", "RunConfig",
    }
    assert expected <= set(all_registries())
    with pytest.raises(UnknownTypeError, match="no config base named 'Nope'"):
        registry_for("Nope")


def test_verify_wraps_validate():
    @attr.s
    class ToyCheckedConfig(_ToyBase):
        size: int = attr.ib(default=1)

        def validate(self):
            if self.size < 1:
                raise ConfigError(f"ToyCheckedConfig {self.name!r}: size must be >= 1, got {self.size}")

    assert ToyCheckedConfig("ok").verify() == (True, "No validation for this config")
    ok, reason = ToyCheckedConfig("bad", size=0).verify()
    assert not ok and "size must be >= 1, got 0" in reason
