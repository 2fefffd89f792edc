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
