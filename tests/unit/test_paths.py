"""One function tells local paths from URLs for stores, identifiers and configs."""

from pathlib import Path

import pytest

from dacapo._paths import as_path
from dacapo.errors import ConfigError


def test_local_paths_and_urls():
    assert as_path("/data/a.zarr") == Path("/data/a.zarr")
    url = as_path("s3://bucket/a.zarr")
    assert str(url) == "s3://bucket/a.zarr" and url.protocol == "s3"
    assert as_path(url) is url


def test_other_types_are_rejected():
    with pytest.raises(ConfigError, match="expected a path or URL, got int 5"):
        as_path(5)


def test_absolute_makes_local_paths_absolute_and_leaves_urls(tmp_path, monkeypatch):
    from dacapo._paths import absolute

    monkeypatch.chdir(tmp_path)
    assert absolute("out/volume.zarr") == str(tmp_path / "out" / "volume.zarr")
    assert absolute(tmp_path / "a.zarr") == str(tmp_path / "a.zarr")
    assert absolute("s3://bucket/volume.zarr") == "s3://bucket/volume.zarr"
