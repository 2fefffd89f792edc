"""Filesystem trouble under ``runs_base_dir`` is reported naming the option,
the path and the options file (issue 13)."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from dacapo.errors import ConfigError
from dacapo.options import usable_runs_base_dir
from dacapo.store.create_store import (
    create_array_store,
    create_config_store,
    create_stats_store,
    create_weights_store,
)

CREATORS = [create_config_store, create_stats_store, create_weights_store, create_array_store]


def use_runs_base_dir(tmp_path, monkeypatch, base):
    options = tmp_path / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_base_dir": str(base)}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    return options


@pytest.mark.parametrize("create", CREATORS)
def test_a_file_as_runs_base_dir_is_refused(tmp_path, monkeypatch, create):
    base = tmp_path / "runs"
    base.write_text("oops")
    options = use_runs_base_dir(tmp_path, monkeypatch, base)
    with pytest.raises(ConfigError, match=rf"^runs_base_dir {re.escape(str(base))} is a file, not "
                       rf"a directory; set runs_base_dir in {re.escape(str(options))} to a "
                       "directory you can write to$"):
        create()


@pytest.mark.parametrize("create", CREATORS)
def test_a_runs_base_dir_below_a_file_is_refused(tmp_path, monkeypatch, create):
    (tmp_path / "data").write_text("a file")
    base = tmp_path / "data" / "more" / "runs"
    use_runs_base_dir(tmp_path, monkeypatch, base)
    with pytest.raises(ConfigError, match=rf"^runs_base_dir {re.escape(str(base))} does not exist "
                       rf"and cannot be created \({re.escape(str(tmp_path / 'data'))} is a "
                       r"file\); set runs_base_dir in "):
        create()


def test_a_missing_runs_base_dir_is_created(tmp_path, monkeypatch):
    base = tmp_path / "new" / "runs"
    use_runs_base_dir(tmp_path, monkeypatch, base)
    create_weights_store()
    assert base.is_dir()


def test_a_runs_base_dir_without_write_permission_is_refused(tmp_path, monkeypatch):
    base = tmp_path / "runs"
    base.mkdir()
    use_runs_base_dir(tmp_path, monkeypatch, base)
    # root may write anywhere, so the permission answer is simulated
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(base)
                        else real_access(p, mode))
    for create in (create_weights_store, create_array_store):
        with pytest.raises(ConfigError, match=rf"^runs_base_dir {re.escape(str(base))} is not "
                           "writable by this "
                           "user; set runs_base_dir in .* or get write permission for it$"):
            create()
    create_config_store()  # reading configs and stats needs no write permission
    create_stats_store()


def test_a_runs_base_dir_that_cannot_be_created_names_the_reason(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pathlib.Path.mkdir", refuse)
    with pytest.raises(ConfigError, match=r"runs_base_dir .*runs does not exist and cannot be "
                       r"created \(Permission denied\); set runs_base_dir in an options file"):
        usable_runs_base_dir(tmp_path / "runs")


def test_urls_are_not_checked():
    url = "memory://runs"
    assert usable_runs_base_dir(url) == url
