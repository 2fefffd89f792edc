"""The MongoDB connection shared by the Mongo config and stats stores."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict

from dacapo.errors import StoreError

__all__ = ["MongoStore", "redact"]


def redact(url: str) -> str:
    """``url`` without the password of ``user:password@``."""
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", str(url))


class MongoStore(ABC):
    """Connects to database ``db_name`` at ``db_host`` and prepares its collections.

    Subclasses create their indexes in ``_create_indexes`` and name what the
    collections hold in ``_contents`` (for the error message).

    Args:
        db_host: The MongoDB URL, e.g. ``mongodb://localhost:27017``.
        db_name: The database holding the collections.
    """

    _contents: str

    def __init__(self, db_host: str, db_name: str):
        import pymongo
        from pymongo.errors import PyMongoError

        self.db_host, self.db_name = db_host, db_name
        self.client: pymongo.MongoClient[Dict[str, Any]] = pymongo.MongoClient(db_host)
        self.database = self.client[db_name]
        try:
            self._create_indexes(pymongo)
        except PyMongoError as error:
            raise StoreError(
                f"{self}: cannot prepare the {self._contents} collections ({error}); check "
                "that the server is running and the options mongo_db_host/mongo_db_name"
            ) from error

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact(self.db_host)!r}, {self.db_name!r})"

    @abstractmethod
    def _create_indexes(self, pymongo) -> None:
        """Creates the indexes of the store's collections in ``self.database``."""
