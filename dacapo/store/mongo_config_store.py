"""A config store in MongoDB: one collection per kind, unique on ``name``."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from dacapo.store._mongo import MongoStore, redact
from dacapo.store.config_store import CONFIG_KINDS, ConfigKind, ConfigStore

logger = logging.getLogger(__name__)

__all__ = ["MongoConfigStore", "redact"]


class MongoConfigStore(MongoStore, ConfigStore):
    """Configs as documents in the collections ``runs``, ``tasks``, ... of one database.

    Args:
        db_host: The MongoDB URL, e.g. ``mongodb://localhost:27017``.
        db_name: The database holding the collections.
    """

    _contents = "config"

    def _create_indexes(self, pymongo) -> None:
        for kind in CONFIG_KINDS.values():
            self.database[kind.collection].create_index("name", unique=True)

    def _insert(self, kind: ConfigKind, name: str, document: Dict[str, Any]) -> Optional[dict]:
        from pymongo.errors import DuplicateKeyError

        try:
            self.database[kind.collection].insert_one(dict(document))
        except DuplicateKeyError:
            return self._find(kind, name) or {}
        return None

    def _find(self, kind: ConfigKind, name: str) -> Optional[dict]:
        return self.database[kind.collection].find_one({"name": name}, {"_id": False})

    def _list(self, kind: ConfigKind) -> List[str]:
        return list(self.database[kind.collection].distinct("name"))

    def _remove(self, kind: ConfigKind, name: str) -> bool:
        return self.database[kind.collection].delete_one({"name": name}).deleted_count > 0
