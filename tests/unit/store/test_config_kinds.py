"""Config kinds find their base classes through the config registry."""

import pytest

from dacapo._registry import registry_for
from dacapo.errors import UnknownTypeError
from dacapo.experiments.datasplits.datasets.arrays.array_config import ArrayConfig
from dacapo.experiments.run_config import RunConfig
from dacapo.store.config_store import CONFIG_KINDS, ConfigKind


def test_every_kind_stores_the_root_of_a_registry():
    for kind in CONFIG_KINDS.values():
        base = kind.base()
        assert registry_for(base.__name__).base is base
    assert CONFIG_KINDS["run"].base() is RunConfig
    assert CONFIG_KINDS["array"].base() is ArrayConfig


def test_a_kind_with_an_unknown_base_names_the_known_ones():
    with pytest.raises(
        UnknownTypeError, match="no config base named 'RunConfg'; known: .*RunConfig"
    ):
        ConfigKind("run", "runs", "RunConfg").base()
