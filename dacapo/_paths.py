"""Local paths and URLs (``s3://``, ``memory://``) in one type-checked place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

from dacapo.errors import ConfigError


def as_path(value: Any) -> Path:
    """``value`` as a ``Path``, or as a ``UPath`` when it is a URL."""
    if getattr(value, "protocol", ""):  # already a UPath with a protocol
        return value
    if not isinstance(value, (str, os.PathLike)):
        raise ConfigError(f"expected a path or URL, got {type(value).__name__} {value!r}")
    if "://" in str(value):
        from upath import UPath  # only URLs need universal-pathlib

        # UPath offers Path's interface (and subclasses Path before universal-pathlib 0.3)
        return cast(Path, UPath(str(value)))
    return Path(value)


def absolute(value: Any) -> str:
    """A local path made absolute (found from any directory); a URL as it is."""
    path = as_path(value)
    return str(path) if getattr(path, "protocol", "") else str(path.absolute())
