"""Options: the search order, overrides, and clear errors for bad files."""

import os
from pathlib import Path

import pytest
import yaml

from dacapo.errors import ConfigError
from dacapo.options import DaCapoConfig, Options


def _write(path: Path, values) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(values if isinstance(values, str) else yaml.safe_dump(values))
    return path


def test_defaults_without_any_file(isolated_home):
    options = Options.instance()
    assert Options.config_file() is None
    assert options.type == "files"
    assert Path(options.runs_base_dir) == isolated_home / "dacapo"
    assert options.compute_context == {"type": "LocalTorch", "config": {}}
    assert options.mongo_db_host is None and options.mongo_db_name is None


def test_search_order(isolated_home, tmp_path, monkeypatch):
    config_dir = _write(isolated_home / ".config/dacapo/dacapo.yaml", {"runs_base_dir": "/c"})
    assert Options.config_file() == config_dir
    home = _write(isolated_home / "dacapo.yaml", {"runs_base_dir": "/home"})
    assert Options.config_file() == home
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    local = _write(work / "dacapo.yaml", {"runs_base_dir": "/local"})
    assert Options.config_file() == local
    env = _write(tmp_path / "env.yaml", {"runs_base_dir": "/env"})
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(env))
    assert Options.config_file() == env
    assert str(Options.instance().runs_base_dir) == "/env"


def test_overrides_win_and_the_environment_is_untouched(tmp_path, monkeypatch):
    _write(tmp_path / "dacapo.yaml", {"type": "mongo", "mongo_db_host": "mongodb://h", "mongo_db_name": "db"})
    monkeypatch.chdir(tmp_path)
    before = dict(os.environ)
    options = Options.instance(runs_base_dir=str(tmp_path / "runs"))
    assert options.type == "mongo" and options.mongo_db_name == "db"
    assert Path(options.runs_base_dir) == tmp_path / "runs"
    assert dict(os.environ) == before


def test_file_is_re_read_on_every_call(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "dacapo.yaml", {"runs_base_dir": "/first"})
    assert str(Options.instance().runs_base_dir) == "/first"
    _write(tmp_path / "dacapo.yaml", {"runs_base_dir": "/second"})
    assert str(Options.instance().runs_base_dir) == "/second"


def test_s3_runs_base_dir_stays_a_url():
    options = Options.instance(runs_base_dir="s3://bucket/runs")
    assert str(options.runs_base_dir) == "s3://bucket/runs"
    assert options.runs_base_dir.protocol == "s3"


def test_serialize_drops_unset_values():
    data = DaCapoConfig(runs_base_dir="/r").serialize()
    assert data == {
        "type": "files",
        "runs_base_dir": "/r",
        "compute_context": {"type": "LocalTorch", "config": {}},
    }
    assert DaCapoConfig(**data) == DaCapoConfig(runs_base_dir="/r")


@pytest.mark.parametrize(
    "content, message",
    [
        ("type: [files\n", r"dacapo.yaml: not valid YAML"),
        ("- files\n", r"dacapo.yaml: expected a mapping of option names to values, got list"),
        ({"runs_dir": "/x"}, r"dacapo.yaml: unknown key\(s\) \['runs_dir'\]"),
        ({"type": "sql"}, r"dacapo.yaml: type: expected one of \['files', 'mongo'\], got 'sql'"),
        ({"runs_base_dir": 5}, r"dacapo.yaml: runs_base_dir: expected a path, got int 5"),
        ({"compute_context": "LocalTorch"}, r"dacapo.yaml: compute_context: expected a mapping"),
        ({"mongo_db_host": 27017}, r"dacapo.yaml: mongo_db_host: expected a string or null"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path, monkeypatch, content, message):
    _write(tmp_path / "dacapo.yaml", content)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        Options.instance()


def test_options_file_variable_naming_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="DACAPO_OPTIONS_FILE names .*missing.yaml.*not a file"):
        Options.instance()


def test_empty_file_means_defaults(tmp_path, monkeypatch):
    _write(tmp_path / "dacapo.yaml", "")
    monkeypatch.chdir(tmp_path)
    assert Options.instance().type == "files"
