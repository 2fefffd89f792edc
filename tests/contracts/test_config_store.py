"""Contract of every config store (files, MongoDB): store, retrieve, list, delete."""

from __future__ import annotations

import attr
import pytest
import yaml

from dacapo.errors import (
    ConfigError,
    DuplicateNameError,
    NoSuchNameError,
    StoreError,
    UnknownTypeError,
)
from dacapo.store.config_store import CONFIG_KINDS, ConfigStore
from dacapo.store.file_config_store import FileConfigStore
from dacapo.store.mongo_config_store import MongoConfigStore
from tests._registries import registered_fixture
from tests.contracts.config_examples import EXAMPLES, KIND_EXAMPLES, STORE_CLASSES
from tests.contracts.store_backends import store_backend, unreachable_mongo  # noqa: F401

KINDS = sorted(CONFIG_KINDS)

# the test-only _Store*Config classes are registered while this module runs
_store_classes = registered_fixture(*STORE_CLASSES)
FOLDERS = {
    "run": "runs",
    "task": "tasks",
    "architecture": "architectures",
    "trainer": "trainers",
    "datasplit": "datasplits",
    "array": "arrays",
    "dataset": "datasets",
}


def _open(backend) -> ConfigStore:
    if backend.kind == "files":
        return FileConfigStore(backend.path)
    return MongoConfigStore(backend.db_host, backend.db_name)


@pytest.fixture
def open_store(store_backend):  # noqa: F811
    """Opens a new store object on the backend's (shared) storage at every call."""
    return lambda: _open(store_backend)


def _method(store, action, kind):
    names = {
        "store": f"store_{kind}_config",
        "retrieve": f"retrieve_{kind}_config",
        "names": f"retrieve_{kind}_config_names",
        "delete": f"delete_{kind}_config",
    }
    return getattr(store, names[action])


def _registered_concrete(with_example=None):
    """``(kind, class)`` of every registered concrete config of a stored kind."""
    return [
        pytest.param(kind, cls, id=f"{kind}-{cls.__name__}")
        for kind in KINDS
        for cls in CONFIG_KINDS[kind].base().registry().concrete()
        if with_example is None or (cls.__name__ in EXAMPLES) == with_example
    ]


def test_the_kinds_are_the_public_ones():
    assert FOLDERS == {k: CONFIG_KINDS[k].collection for k in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_of_every_kind(open_store, kind):
    config = KIND_EXAMPLES[kind]()
    _method(open_store(), "store", kind)(config)
    retrieved = _method(open_store(), "retrieve", kind)(config.name)
    assert type(retrieved) is type(config)
    assert retrieved == config
    assert _method(open_store(), "names", kind)() == [config.name]


@pytest.mark.parametrize(("kind", "cls"), _registered_concrete())
def test_every_registered_config_has_an_example(kind, cls, tmp_path):
    # runs over whatever is registered: a class without an example fails here
    assert cls.__name__ in EXAMPLES, (
        f"{cls.__module__}.{cls.__name__} has no entry in "
        "tests/contracts/config_examples.py EXAMPLES; add one"
    )
    assert type(EXAMPLES[cls.__name__](tmp_path)) is cls


@pytest.mark.parametrize(("kind", "cls"), _registered_concrete(with_example=True))
def test_every_registered_config_round_trips(open_store, kind, cls, tmp_path):
    config = EXAMPLES[cls.__name__](tmp_path)
    open_store().store(kind, config)
    open_store().store(kind, EXAMPLES[cls.__name__](tmp_path))  # identical again: no-op
    retrieved = open_store().retrieve(kind, config.name)
    assert type(retrieved) is cls
    assert retrieved == config


def test_run_config_keeps_nested_configs(open_store):
    run = KIND_EXAMPLES["run"]()
    open_store().store_run_config(run)
    retrieved = open_store().retrieve_run_config(run.name)
    assert retrieved.datasplit_config.train_configs[0].raw_config.roi == (
        run.datasplit_config.train_configs[0].raw_config.roi
    )
    assert retrieved.start_config.criterion == "voi"


@pytest.mark.parametrize("kind", KINDS)
def test_identical_restore_is_a_no_op(open_store, kind):
    config = KIND_EXAMPLES[kind]()
    store = open_store()
    _method(store, "store", kind)(config)
    _method(store, "store", kind)(KIND_EXAMPLES[kind]())  # equal, not the same object
    assert _method(open_store(), "names", kind)() == [config.name]
    assert _method(open_store(), "retrieve", kind)(config.name) == config


def test_different_config_under_stored_name_raises(open_store):
    store = open_store()
    store.store_task_config(KIND_EXAMPLES["task"]())
    changed = attr.evolve(KIND_EXAMPLES["task"](), threshold=0.1)
    message = (
        r"task config 'task' is already stored in .* with different field\(s\) "
        r"\['threshold'\] \(threshold: stored 0\.75, given 0\.1\).*delete_task_config"
    )
    with pytest.raises(DuplicateNameError, match=message):
        open_store().store_task_config(changed)
    assert open_store().retrieve_task_config("task").threshold == 0.75


def test_duplicate_names_nested_field(open_store):
    run = KIND_EXAMPLES["run"]()
    open_store().store_run_config(run)
    changed = attr.evolve(run, start_config=attr.evolve(run.start_config, criterion="f1"))
    message = (
        r"run config 'run_1' .*\['start_config'\] "
        r"\(start_config\.criterion: stored 'voi', given 'f1'\)"
    )
    with pytest.raises(DuplicateNameError, match=message):
        open_store().store_run_config(changed)


def test_same_name_in_different_kinds_is_allowed(open_store):
    store = open_store()
    store.store_task_config(attr.evolve(KIND_EXAMPLES["task"](), name="shared"))
    store.store_array_config(attr.evolve(KIND_EXAMPLES["array"](), name="shared"))
    assert store.retrieve_task_config_names() == ["shared"]
    assert store.retrieve_array_config_names() == ["shared"]
    assert store.retrieve_run_config_names() == []


def test_missing_name_raises_listing_known_names(open_store):
    store = open_store()
    for name in ("b_task", "a_task"):
        store.store_task_config(attr.evolve(KIND_EXAMPLES["task"](), name=name))
    with pytest.raises(NoSuchNameError, match=r"task config named 'nope'.*'a_task', 'b_task'"):
        store.retrieve_task_config("nope")
    with pytest.raises(KeyError):  # NoSuchNameError is also a KeyError
        store.retrieve_array_config("nope")


def test_missing_name_in_empty_store(open_store):
    with pytest.raises(
        NoSuchNameError, match=r"no run config named 'r' in .*Store\(.*stored run configs: \(none\)"
    ):
        open_store().retrieve_run_config("r")


def test_names_are_sorted(open_store):
    store = open_store()
    for name in ("c", "a", "b"):
        store.store_array_config(attr.evolve(KIND_EXAMPLES["array"](), name=name))
    assert open_store().retrieve_array_config_names() == ["a", "b", "c"]


def test_delete(open_store):
    store = open_store()
    store.store_dataset_config(KIND_EXAMPLES["dataset"]())
    store.delete_dataset_config("crop_1")
    assert open_store().retrieve_dataset_config_names() == []
    with pytest.raises(NoSuchNameError, match="crop_1"):
        open_store().retrieve_dataset_config("crop_1")
    # after deleting, a different config may take the name
    store.store_dataset_config(attr.evolve(KIND_EXAMPLES["dataset"](), weight=5))
    assert open_store().retrieve_dataset_config("crop_1").weight == 5


def test_delete_missing_name_raises(open_store):
    with pytest.raises(NoSuchNameError, match=r"cannot delete trainer config 'gone'"):
        open_store().delete_trainer_config("gone")


BAD_NAMES = ["", "a/b", "a\\b", "..", "up..dir", "tab\tname", "nul\x00", "del\x7f", 5, None]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_names_are_rejected(open_store, name):
    store = open_store()
    config = KIND_EXAMPLES["array"]()
    config.name = name  # a non-text name is refused when a config is made, so set it after
    with pytest.raises(ConfigError, match=r"array config name"):
        store.store_array_config(config)
    with pytest.raises(ConfigError, match=r"array config name"):
        store.retrieve_array_config(name)
    with pytest.raises(ConfigError, match=r"array config name"):
        store.delete_array_config(name)
    assert store.retrieve_array_config_names() == []


def test_storing_the_wrong_kind_raises(open_store):
    with pytest.raises(
        ConfigError, match=r"store_task_config: expected a TaskConfig, got _StoreArrayConfig"
    ):
        open_store().store_task_config(KIND_EXAMPLES["array"]())


def test_unknown_kind_raises(open_store):
    with pytest.raises(ConfigError, match=r"unknown config kind 'model'.*'architecture'"):
        open_store().store("model", KIND_EXAMPLES["architecture"]())


def test_generic_and_named_methods_agree(open_store):
    store = open_store()
    store.store("architecture", KIND_EXAMPLES["architecture"]())
    assert store.retrieve_architecture_config("unet") == store.retrieve("architecture", "unet")
    assert store.names("architecture") == store.retrieve_architecture_config_names()
    assert "architecture config" in ConfigStore.retrieve_architecture_config.__doc__


# --- files backend: layout and damaged files -------------------------------


def _write_config_file(tmp_path, relative_path, text):
    """Writes ``text`` to ``configs/<relative_path>`` under ``tmp_path``; returns that file."""
    path = tmp_path / "configs" / relative_path
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_files_layout(tmp_path):
    store = FileConfigStore(tmp_path / "configs")
    for kind in KINDS:
        store.store(kind, KIND_EXAMPLES[kind]())
    for kind, folder in FOLDERS.items():
        name = KIND_EXAMPLES[kind]().name
        document = yaml.safe_load((tmp_path / "configs" / folder / f"{name}.yaml").read_text())
        assert document["name"] == name
    task = yaml.safe_load((tmp_path / "configs" / "tasks" / "task.yaml").read_text())
    assert task == {"__type__": "_StoreTaskConfig", "name": "task", "threshold": 0.75}
    array = yaml.safe_load((tmp_path / "configs" / "arrays" / "raw.yaml").read_text())
    assert array["roi"] == [[0, 8, 16], [80, 40, 40]]
    assert array["voxel_size"] == [8, 4, 4]
    leftovers = [p for p in (tmp_path / "configs").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_files_malformed_yaml_names_the_file(tmp_path):
    _write_config_file(tmp_path, "tasks/broken.yaml", "name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"task config file .*broken\.yaml is not valid YAML"):
        FileConfigStore(tmp_path / "configs").retrieve_task_config("broken")


def test_files_yaml_that_is_not_a_mapping(tmp_path):
    _write_config_file(tmp_path, "arrays/listy.yaml", "- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"arrays.listy\.yaml: expected a mapping.*got list"):
        FileConfigStore(tmp_path / "configs").retrieve_array_config("listy")


def test_files_unknown_type_names_the_file(tmp_path):
    _write_config_file(tmp_path, "tasks/odd.yaml", "__type__: _StoreTaskConfg\nname: odd\n")
    with pytest.raises(UnknownTypeError, match=r"odd\.yaml.*did you mean '_StoreTaskConfig'"):
        FileConfigStore(tmp_path / "configs").retrieve_task_config("odd")


def test_files_stored_document_missing_a_default_is_still_identical(tmp_path):
    path = _write_config_file(tmp_path, "tasks/old.yaml", "__type__: _StoreTaskConfig\nname: old\n")
    store = FileConfigStore(tmp_path / "configs")
    store.store_task_config(attr.evolve(KIND_EXAMPLES["task"](), name="old", threshold=0.5))
    assert path.read_text() == "__type__: _StoreTaskConfig\nname: old\n"


def test_files_names_ignore_other_files(tmp_path):
    store = FileConfigStore(tmp_path / "configs")
    store.store_task_config(KIND_EXAMPLES["task"]())
    folder = tmp_path / "configs" / "tasks"
    (folder / ".task.yaml.abc.tmp").write_text("partial")
    (folder / "notes.txt").write_text("not a config")
    assert store.retrieve_task_config_names() == ["task"]


def test_files_store_on_a_url(tmp_path):
    from upath import UPath

    store = FileConfigStore(UPath(f"memory://{tmp_path}/configs"))
    store.store_task_config(KIND_EXAMPLES["task"]())
    store.store_task_config(KIND_EXAMPLES["task"]())
    assert FileConfigStore(f"memory://{tmp_path}/configs").retrieve_task_config("task") == (
        KIND_EXAMPLES["task"]()
    )
    store.delete_task_config("task")
    assert store.retrieve_task_config_names() == []


# --- mongo backend ------------------------------------------------------------


def test_mongo_unreachable_server_raises_store_error(unreachable_mongo):  # noqa: F811
    with pytest.raises(
        StoreError, match=r"mongodb://me:\*\*\*@db.*'lab'.*no server.*mongo_db_host"
    ):
        MongoConfigStore("mongodb://me:secret@db:27017", "lab")
