"""A stored config is what its name says: a config file whose file name and inner
``name`` differ (copied or renamed by hand) is refused on every retrieve path."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

import dacapo
from dacapo.errors import ConfigError, NoSuchNameError
from dacapo.store.config_store import CONFIG_KINDS
from dacapo.store.file_config_store import FileConfigStore
from dacapo.store.mongo_config_store import MongoConfigStore
from tests._registries import registered_fixture
from tests._validation_runs import distance_run_config
from tests.contracts.config_examples import KIND_EXAMPLES, STORE_CLASSES
from tests.contracts.store_backends import store_backend  # noqa: F401

KINDS = sorted(CONFIG_KINDS)
_store_classes = registered_fixture(*STORE_CLASSES)


def _copy_file(store: FileConfigStore, kind: str, source: str, target: str):
    folder = store.path / CONFIG_KINDS[kind].collection
    shutil.copy(folder / f"{source}.yaml", folder / f"{target}.yaml")
    return folder / f"{target}.yaml"


@pytest.mark.parametrize("kind", KINDS)
def test_a_copied_config_file_is_refused(tmp_path, kind):
    store = FileConfigStore(tmp_path / "configs")
    config = KIND_EXAMPLES[kind]()
    store.store(kind, config)
    _copy_file(store, kind, config.name, "copy")
    message = (
        rf"{kind} config 'copy' in file .*copy\.yaml is named {config.name!r} inside.*"
        rf"rename the file to {config.name}\.yaml, or change `name:` inside it to 'copy'"
    )
    with pytest.raises(ConfigError, match=message):
        getattr(store, f"retrieve_{kind}_config")("copy")
    # the original stays readable, and listing shows both files
    assert store.retrieve(kind, config.name) == config
    assert store.names(kind) == sorted([config.name, "copy"])


@pytest.mark.parametrize("kind", ["run", "array"])
def test_a_config_file_without_a_name_is_refused(tmp_path, kind):
    store = FileConfigStore(tmp_path / "configs")
    config = KIND_EXAMPLES[kind]()
    store.store(kind, config)
    path = store.path / CONFIG_KINDS[kind].collection / f"{config.name}.yaml"
    document = yaml.safe_load(path.read_text())
    del document["name"]
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match=rf"has no `name` field; add `name: {config.name}`"):
        store.retrieve(kind, config.name)


@pytest.mark.parametrize("inner", [5, None, "", ["copy"], "COPY", "copy "])
def test_any_other_inner_name_is_refused(tmp_path, inner):
    store = FileConfigStore(tmp_path / "configs")
    store.store_task_config(KIND_EXAMPLES["task"]())
    path = _copy_file(store, "task", "task", "copy")
    path.write_text(path.read_text().replace("name: task", f"name: {json.dumps(inner)}"))
    with pytest.raises(ConfigError, match=r"task config 'copy' in file .* is named .* inside"):
        store.retrieve_task_config("copy")


@pytest.mark.parametrize("store_backend", ["mongomock", "mongo_server"], indirect=True)
def test_mongo_retrieves_by_the_inner_name(store_backend):  # noqa: F811
    # a Mongo document's key is its `name` field, so they cannot disagree: a
    # document renamed in the database is found under its new name only
    store = MongoConfigStore(store_backend.db_host, store_backend.db_name)
    store.store_task_config(KIND_EXAMPLES["task"]())
    store.database["tasks"].update_one({"name": "task"}, {"$set": {"name": "renamed"}})
    assert store.retrieve_task_config("renamed").name == "renamed"
    with pytest.raises(NoSuchNameError, match=r"no task config named 'task'.*'renamed'"):
        store.retrieve_task_config("task")


def test_training_a_copied_run_config_writes_nothing(tmp_path, runs_base_dir):
    store = FileConfigStore(runs_base_dir / "configs")
    store.store_run_config(distance_run_config(tmp_path / "missing.zarr", name="original"))
    _copy_file(store, "run", "original", "copy")
    with pytest.raises(ConfigError, match=r"run config 'copy' .* is named 'original' inside"):
        dacapo.train("copy")
    assert sorted(p.name for p in runs_base_dir.iterdir()) == ["configs"]
