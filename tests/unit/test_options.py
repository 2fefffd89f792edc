"""Options: the search order, overrides, and clear errors for bad files."""

import logging
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
        "tensorboard": True,
    }
    assert DaCapoConfig(**data) == DaCapoConfig(runs_base_dir="/r")


@pytest.mark.parametrize(
    "content, message",
    [
        ("type: [files\n", r"dacapo.yaml: not valid YAML"),
        ("- files\n", r"dacapo.yaml: expected a mapping of option names to values, got list"),
        ({"runs_dir": "/x"}, r"dacapo.yaml: unknown key\(s\) \['runs_dir'\]"),
        ({"type": "sql"}, r"dacapo.yaml: type: expected one of \['files', 'mongo'\], got 'sql'"),
        ({"runs_base_dir": 5}, r"dacapo.yaml: runs_base_dir: expected a path or URL, got int 5"),
        ({"compute_context": "LocalTorch"}, r"dacapo.yaml: compute_context: expected a mapping"),
        ({"mongo_db_host": 27017}, r"dacapo.yaml: mongo_db_host: expected a string or null"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path, monkeypatch, content, message):
    _write(tmp_path / "dacapo.yaml", content)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        Options.instance()


def test_options_file_variable_naming_a_missing_file_falls_back(tmp_path, monkeypatch, caplog):
    missing = tmp_path / "missing.yaml"
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(missing))
    work = tmp_path / "work"
    _write(work / "dacapo.yaml", {"runs_base_dir": "/local"})
    monkeypatch.chdir(work)
    with caplog.at_level(logging.WARNING, logger="dacapo.options"):
        assert str(Options.instance().runs_base_dir) == "/local"
        assert Options.config_file() == work / "dacapo.yaml"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "DACAPO_OPTIONS_FILE" in warnings[0].getMessage()
    assert str(missing) in warnings[0].getMessage()


def test_missing_options_file_variable_without_other_files_gives_defaults(
    isolated_home, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(tmp_path / "gone.yaml"))
    with caplog.at_level(logging.WARNING, logger="dacapo.options"):
        assert Path(Options.instance().runs_base_dir) == isolated_home / "dacapo"
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_options_file_variable_naming_a_malformed_file_raises(tmp_path, monkeypatch):
    bad = _write(tmp_path / "bad.yaml", "type: [files\n")
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(bad))
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        Options.instance()


def test_runs_base_dir_expands_home_and_stays_a_local_path(isolated_home):
    options = Options.instance(runs_base_dir="~/runs")
    assert options.runs_base_dir == isolated_home / "runs"
    assert type(options.runs_base_dir) is type(Path())


def test_empty_file_means_defaults(tmp_path, monkeypatch):
    _write(tmp_path / "dacapo.yaml", "")
    monkeypatch.chdir(tmp_path)
    assert Options.instance().type == "files"
