"""The store factories follow the options."""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest
import yaml

from dacapo.errors import ConfigError
from dacapo.store.create_store import (
    create_array_store,
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.store.file_config_store import FileConfigStore
from dacapo.store.file_stats_store import FileStatsStore
from dacapo.store.local_array_store import LocalArrayStore
from dacapo.store.local_weights_store import LocalWeightsStore


def _options(tmp_path, monkeypatch, **values):
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump({"runs_base_dir": str(tmp_path / "runs"), **values}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(path))
    return path


def test_files_stores_live_under_runs_base_dir(runs_base_dir):
    config_store = create_config_store()
    stats_store = create_stats_store()
    assert isinstance(config_store, FileConfigStore)
    assert str(config_store.path) == str(runs_base_dir / "configs")
    assert isinstance(stats_store, FileStatsStore)
    assert str(stats_store.path) == str(runs_base_dir / "stats")
    weights_store = create_weights_store()
    array_store = create_array_store()
    assert isinstance(weights_store, LocalWeightsStore)
    assert str(weights_store.basedir) == str(runs_base_dir)
    assert isinstance(array_store, LocalArrayStore)
    assert str(array_store.snapshot_container("r").container) == str(
        runs_base_dir / "r" / "snapshot.zarr"
    )


def test_files_is_the_default_without_options(isolated_home):
    assert str(create_config_store().path) == str(isolated_home / "dacapo" / "configs")


def test_stored_config_lands_in_the_configs_folder(runs_base_dir):
    from tests._registries import registered
    from tests.contracts.config_examples import KIND_EXAMPLES, STORE_CLASSES

    with registered(*STORE_CLASSES):
        create_config_store().store_task_config(KIND_EXAMPLES["task"]())
    assert (runs_base_dir / "configs" / "tasks" / "task.yaml").is_file()


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        ({}, "mongo_db_host and mongo_db_name are not set"),
        ({"mongo_db_host": "mongodb://db"}, "mongo_db_name is not set"),
        ({"mongo_db_name": "lab"}, "mongo_db_host is not set"),
    ],
)
def test_mongo_without_host_or_name_says_what_to_set(tmp_path, monkeypatch, values, missing):
    path = _options(tmp_path, monkeypatch, type="mongo", **values)
    for factory in (create_config_store, create_stats_store):
        with pytest.raises(ConfigError, match=rf"type is 'mongo' but {missing}; set .* in {path}"):
            factory()


def test_mongo_stores(tmp_path, monkeypatch):
    pymongo = pytest.importorskip("pymongo")
    mongomock = pytest.importorskip("mongomock")
    from dacapo.store.mongo_config_store import MongoConfigStore
    from dacapo.store.mongo_stats_store import MongoStatsStore

    server = mongomock.store.ServerStore()
    monkeypatch.setattr(
        pymongo, "MongoClient", functools.partial(mongomock.MongoClient, _store=server)
    )
    _options(tmp_path, monkeypatch, type="mongo", mongo_db_host="mongodb://db", mongo_db_name="lab")
    config_store = create_config_store()
    assert isinstance(config_store, MongoConfigStore)
    assert (config_store.db_host, config_store.db_name) == ("mongodb://db", "lab")
    assert isinstance(create_stats_store(), MongoStatsStore)
    # weights and arrays stay files under runs_base_dir
    assert str(create_weights_store().basedir) == str(tmp_path / "runs")
    assert isinstance(create_array_store(), LocalArrayStore)


def test_importing_the_factories_is_light():
    code = (
        "import sys, dacapo.store.create_store, dacapo.store.local_array_store;"
        "import dacapo.store.local_weights_store, dacapo.store.mongo_config_store;"
        "import dacapo.store.mongo_stats_store, dacapo.store.file_stats_store;"
        "heavy = [m for m in ('torch', 'pymongo', 'xarray') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
