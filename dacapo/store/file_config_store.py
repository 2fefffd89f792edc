"""A config store of YAML files: ``<path>/<kind folder>/<name>.yaml``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from dacapo.errors import ConfigError
from dacapo.store._files import as_path, atomic_write_text
from dacapo.store.config_store import ConfigKind, ConfigStore

logger = logging.getLogger(__name__)

__all__ = ["FileConfigStore"]


class FileConfigStore(ConfigStore):
    """Configs as one YAML file each, in one folder per kind (``runs/``, ``tasks/``, ...).

    Args:
        path: The folder holding the kind folders, usually
            ``<runs_base_dir>/configs``; may be a URL such as ``s3://...``.
    """

    def __init__(self, path: Any):
        self.path = as_path(path)

    def __repr__(self) -> str:
        return f"FileConfigStore({str(self.path)!r})"

    def _file(self, kind: ConfigKind, name: str) -> Path:
        return self.path / kind.collection / f"{name}.yaml"

    def _location(self, kind: ConfigKind, name: str) -> str:
        return f"file {self._file(kind, name)}"

    def _rename_fix(self, kind: ConfigKind, name: str, inner: Any) -> str:
        return (
            f"rename the file to {inner}.yaml, or change `name:` inside it to {name!r}"
        )

    def _insert(self, kind: ConfigKind, name: str, document: Dict[str, Any]) -> Optional[dict]:
        text = yaml.safe_dump(document, sort_keys=False)
        try:
            atomic_write_text(self._file(kind, name), text, exclusive=True)
        except FileExistsError:
            return self._find(kind, name) or {}
        logger.debug("stored %s config %r in %s", kind.name, name, self._file(kind, name))
        return None

    def _find(self, kind: ConfigKind, name: str) -> Optional[dict]:
        path = self._file(kind, name)
        if not path.is_file():
            return None
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        # ValueError: not UTF-8, or a value YAML cannot build (the date 2024-13-45)
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise ConfigError(
                f"{kind.name} config file {path} is not valid YAML ({error}); fix the "
                f"file or delete it with delete_{kind.name}_config({name!r})"
            ) from error
        if not isinstance(document, dict):
            raise ConfigError(
                f"{kind.name} config file {path}: expected a mapping of field names to "
                f"values, got {type(document).__name__}; fix or delete the file"
            )
        return document

    def _list(self, kind: ConfigKind) -> List[str]:
        folder = self.path / kind.collection
        if not folder.is_dir():
            return []
        return [p.stem for p in folder.glob("*.yaml") if not p.name.startswith(".")]

    def _remove(self, kind: ConfigKind, name: str) -> bool:
        path = self._file(kind, name)
        if not path.is_file():
            return False
        path.unlink()
        return True
