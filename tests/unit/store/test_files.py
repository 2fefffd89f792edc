"""Atomic writes of the file stores: whole files or none, and exclusive
writes that never replace what another writer stored first."""

from __future__ import annotations

import os

import pytest

from dacapo.store._files import atomic_write_text


def test_an_exclusive_write_keeps_the_first_file(tmp_path):
    path = tmp_path / "configs" / "a.yaml"
    atomic_write_text(path, "first", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_text(path, "second", exclusive=True)
    assert path.read_text() == "first"
    atomic_write_text(path, "replaced")  # not exclusive: replaces
    assert path.read_text() == "replaced"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.yaml"]  # no temporary left


def test_without_hard_links_the_name_is_claimed_atomically(tmp_path, monkeypatch):
    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")  # e.g. some network file systems

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "a.yaml"
    monkeypatch.setattr(type(path), "exists", lambda self: False)  # a writer racing past the check
    atomic_write_text(path, "first", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_text(path, "second", exclusive=True)
    monkeypatch.undo()
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_a_remote_exclusive_write_is_exclusive_on_the_store_itself(tmp_path, monkeypatch):
    from upath import UPath

    path = UPath(f"memory://{tmp_path}/configs/a.yaml")
    atomic_write_text(path, "first", exclusive=True)
    monkeypatch.setattr(type(path), "exists", lambda self: False)  # racing past the check
    with pytest.raises(FileExistsError):
        atomic_write_text(path, "second", exclusive=True)
    monkeypatch.undo()
    assert path.read_text() == "first"
