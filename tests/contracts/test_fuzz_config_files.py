"""Property-based fuzzing of stored config files (``hypothesis``).

For a stored run config and the example config of every registered config
kind, hypothesis stores the config with the file config store, damages its
YAML file (drops, retypes or renames a field anywhere in the nested document,
changes a ``__type__`` or the ``name``, truncates the text, replaces it by
odd YAML) and retrieves it.
Every example either loads as a config of the stored kind (which can be stored
again) or raises a ``DacapoError``, never another exception.

``test_config_file_mutations.py`` runs a fixed set of such mutations; this one
lets hypothesis pick (and shrink) the mutations and the wrong values.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, List, Tuple

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacapo._registry import all_registries
from dacapo.store.config_store import CONFIG_KINDS
from dacapo.store.file_config_store import FileConfigStore
from tests._registries import registered_fixture
from tests._validation_runs import distance_run_config, tiny_3d_run_config
from tests.contracts.config_examples import EXAMPLES, STORE_CLASSES
from tests.contracts.test_config_file_mutations import (
    WRONG_VALUES,
    _kind_of,
    _outcome,
    _places,
)

# RunConfig's example nests the test-only _Store*Config classes
_store_classes = registered_fixture(*STORE_CLASSES)

# hypothesis runs every example in the same test call: the function-scoped
# autouse fixtures (private HOME, registry cleanup) hold no per-example state,
# and each example works in its own temporary directory
FUZZ = settings(
    max_examples=700,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

wrong_values = st.one_of(
    st.sampled_from(WRONG_VALUES),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=6),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2), st.floats()), max_size=4),
    st.lists(st.lists(st.integers(-2, 2), max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(-2, 2), max_size=2),
)
new_names = st.one_of(
    st.sampled_from(["", "../up", "a/b", "x" * 300, "with space", ".hidden", "other"]),
    st.text(max_size=8),
    wrong_values,
)

ODD_YAML = [
    "!!python/object/apply:os.system ['true']\n",
    "&a {name: a, __type__: *a}\n",
    "name: x\nname: y\n",
    "---\nname: a\n---\nname: b\n",
    "? [1, 2]\n: 3\n",
    "name: !!binary aGVsbG8=\n",
    "name: 2001-01-01\n",
    "<<: {a: 1}\n",
    "\t- x\n",
]


@pytest.fixture(scope="module")
def stored_examples(tmp_path_factory) -> List[Tuple[str, Any]]:
    """``(kind, config)`` of every example of a stored kind, plus real run configs."""
    data = tmp_path_factory.mktemp("fuzz_example_data")
    found = [(_kind_of(EXAMPLES[name](data)), EXAMPLES[name](data)) for name in sorted(EXAMPLES)]
    found = [(kind, config) for kind, config in found if kind]
    found.append(("run", distance_run_config(data / "data.zarr", name="real_run")))
    found.append(("run", tiny_3d_run_config(data, name="tiny_3d_run")))
    return found


def _similar(value: Any) -> st.SearchStrategy:
    """Values of the same shape as ``value``, which often load (a wrong value often not)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-2, 2 * abs(value) + 2)
    if isinstance(value, float):
        return st.floats(-10, 10)
    if isinstance(value, str):
        return st.sampled_from([value, value.upper(), value[:-1], value + "_x"])
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return st.lists(st.integers(-1, 8), min_size=len(value), max_size=len(value))
    return wrong_values


def _mutate(data: st.DataObject, document: Any) -> str:
    """Applies one drawn mutation to the parsed ``document``; returns what was done."""
    tags = ("__type__", "name")  # changed by the "retag" and "name" mutations
    places = [(c, k) for c, k in _places(document) if k not in tags]
    how = data.draw(st.sampled_from(["drop", "retype", "similar", "similar", "rename",
                                     "retag", "name"]))
    if how in ("drop", "retype", "similar", "rename") and not places:
        return "nothing left"
    if how in ("drop", "retype", "similar", "rename"):
        container, key = places[data.draw(st.integers(0, len(places) - 1))]
    if how == "drop":
        del container[key]
    elif how in ("retype", "similar"):
        container[key] = data.draw(
            wrong_values if how == "retype" else _similar(container[key]))
    elif how == "rename" and isinstance(container, dict):
        new = data.draw(st.sampled_from([f"{key}_x", str(key)[:-1], str(key).upper(),
                                         "__type__", "name", ""]))
        container[new] = container.pop(key)
    elif how == "retag":
        tagged = [c for c, k in _places(document) if isinstance(c, dict) and k == "__type__"]
        registered = sorted({n for r in all_registries().values() for n in r.names()})
        target = data.draw(st.sampled_from(tagged)) if tagged else document
        target["__type__"] = data.draw(
            st.one_of(st.sampled_from(registered + ["Nope", ""]), wrong_values))
        if data.draw(st.integers(0, 5)) == 0:
            del target["__type__"]
    elif how == "name" and isinstance(document, dict):
        document["name"] = data.draw(new_names)
        if data.draw(st.integers(0, 5)) == 0:
            del document["name"]
    return how


def _damage(data: st.DataObject, path: Path) -> None:
    """Damages the YAML file at ``path`` with drawn mutations or a truncation."""
    text = path.read_text()
    choice = data.draw(st.integers(0, 9))
    if choice == 0:
        path.write_text(text[: data.draw(st.integers(0, len(text) - 1))])
        return
    if choice == 1:  # YAML that is not a plain mapping of fields
        path.write_text(data.draw(st.one_of(
            st.sampled_from(ODD_YAML), wrong_values.map(yaml.safe_dump))))
        return
    document = yaml.safe_load(text)
    for _ in range(data.draw(st.integers(1, 2))):
        _mutate(data, document)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@FUZZ
@given(data=st.data())
def test_fuzzed_config_files_load_or_raise_a_dacapo_error(stored_examples, data):
    kind, config = data.draw(st.sampled_from(stored_examples))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        FileConfigStore(folder).store(kind, config)
        _damage(data, folder / CONFIG_KINDS[kind].collection / f"{config.name}.yaml")
        failure = _outcome(kind, config.name, folder, Path(tmp) / "restore")
    assert failure == "", f"{type(config).__name__}: {failure}"
