"""Damaged config files: every mutation either loads as a valid config or raises a
``DacapoError`` (never a ``TypeError``, ``KeyError``, ... from deep inside).

A deterministic stand-in for a property-based test: ``random.Random(SEED)`` picks,
for each case, a stored example config and a mutation of its YAML file (drop,
retype or rename a field anywhere in the nested document, change ``__type__``
or ``name``, truncate the text, write bytes that are not UTF-8). A config that
loads must also be storable again, or refused with a ``DacapoError``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, List, Tuple

import pytest
import yaml

from dacapo._registry import all_registries
from dacapo.errors import DacapoError
from dacapo.store.config_store import CONFIG_KINDS
from dacapo.store.file_config_store import FileConfigStore
from tests._registries import registered_fixture
from tests._validation_runs import distance_run_config
from tests.contracts.config_examples import EXAMPLES, STORE_CLASSES

# RunConfig's example nests the test-only _Store*Config classes
_store_classes = registered_fixture(*STORE_CLASSES)

SEED = 13
CASES = 300
WRONG_VALUES: List[Any] = [
    "x", "4", 4, -1, 0, 2.5, 1e30, True, None, [], [1, "a"], {}, {"a": 1}, [[1, 2]],
    [1.5, 2, 3], float("nan"), "../up", "",
]


def _kind_of(config: Any) -> str:
    for kind in CONFIG_KINDS.values():
        if isinstance(config, kind.base()):
            return kind.name
    return ""


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> List[Tuple[str, Any]]:
    """``(kind, config)`` of every example of a stored kind."""
    data = tmp_path_factory.mktemp("example_data")
    found = []
    for name in sorted(EXAMPLES):
        config = EXAMPLES[name](data)
        if _kind_of(config):
            found.append((_kind_of(config), config))
    # a run of real nested configs (the RunConfig example nests test-only ones)
    found.append(("run", distance_run_config(data / "data.zarr", name="real_run")))
    return found


def _places(document: Any) -> List[Tuple[Any, Any]]:
    """``(container, key or index)`` of every value in the nested document."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            found.append((document, key))
            found += _places(value)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.append((document, index))
            found += _places(value)
    return found


def _drop(rng: random.Random, document: dict) -> str:
    container, key = rng.choice(_places(document))
    del container[key]
    return f"drop {key!r}"


def _retype(rng: random.Random, document: dict) -> str:
    container, key = rng.choice(_places(document))
    container[key] = rng.choice(WRONG_VALUES)
    return f"{key!r} -> {container[key]!r}"


def _rename(rng: random.Random, document: dict) -> str:
    keyed = [(c, k) for c, k in _places(document) if isinstance(c, dict)]
    if not keyed:
        return "nothing to rename"
    container, key = rng.choice(keyed)
    new = rng.choice([f"{key}_x", str(key)[:-1], str(key).upper(), "__type__", "name"])
    container[new] = container.pop(key)
    return f"rename {key!r} -> {new!r}"


def _retag(rng: random.Random, document: dict) -> str:
    tagged = [c for c, k in _places(document) if isinstance(c, dict) and k == "__type__"]
    container = rng.choice(tagged or [document])
    names = sorted({n for r in all_registries().values() for n in r.names()})
    container["__type__"] = rng.choice(names + ["Nope", 5, None, ["ZarrArrayConfig"]])
    return f"__type__ -> {container['__type__']!r}"


MUTATIONS: List[Callable[[random.Random, dict], str]] = [_drop, _retype, _rename, _retag]


def _write_mutated(rng: random.Random, path: Path) -> str:
    """Mutates the config file at ``path``; returns what was done."""
    text = path.read_text()
    choice = rng.random()
    if choice < 0.1:
        cut = rng.randrange(len(text))
        path.write_text(text[:cut])
        return f"truncate at {cut}"
    if choice < 0.13:
        path.write_bytes(text.encode()[: rng.randrange(len(text))] + b"\xff\xfe\x00")
        return "bytes that are not UTF-8"
    document = yaml.safe_load(text)
    done = "; ".join(
        rng.choice(MUTATIONS)(rng, document) if _places(document) else "nothing left"
        for _ in range(rng.randint(1, 2))
    )
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return done


def _outcome(kind: str, name: str, folder: Path, restore: Path) -> str:
    """What retrieving (and storing again) gave: '' when fine, else the failure."""
    try:
        config = FileConfigStore(folder).retrieve(kind, name)
    except DacapoError:
        return ""
    except Exception as error:
        return f"retrieve: {type(error).__name__}: {error}"
    if not isinstance(config, CONFIG_KINDS[kind].base()):
        return f"retrieve gave a {type(config).__name__}"
    try:
        FileConfigStore(restore).store(kind, config)
    except DacapoError:
        return ""
    except Exception as error:
        return f"store again: {type(error).__name__}: {error}"
    return ""


def test_mutated_config_files_load_or_raise_a_dacapo_error(tmp_path, examples):
    rng = random.Random(SEED)
    failures = []
    for case in range(CASES):
        kind, config = examples[case % len(examples)]
        folder = tmp_path / f"case_{case}"
        FileConfigStore(folder).store(kind, config)
        path = folder / CONFIG_KINDS[kind].collection / f"{config.name}.yaml"
        done = _write_mutated(rng, path)
        failure = _outcome(kind, config.name, folder, tmp_path / f"restore_{case}")
        if failure:
            failures.append(f"case {case}, {type(config).__name__} ({done}): {failure}")
    assert failures == [], f"{len(failures)} of {CASES} cases:\n" + "\n".join(failures[:15])
