"""A stats store in MongoDB: collections ``training_stats`` and ``validation_scores``."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from dacapo.store._files import safe_name
from dacapo.store._mongo import MongoStore
from dacapo.store.stats_store import TRAINING, VALIDATION, StatsStore

logger = logging.getLogger(__name__)

__all__ = ["MongoStatsStore"]


class MongoStatsStore(MongoStore, StatsStore):
    """One document per run and iteration, unique on ``(run_name, iteration)``.

    Args:
        db_host: The MongoDB URL, e.g. ``mongodb://localhost:27017``.
        db_name: The database holding the collections.
    """

    _contents = "stats"

    def _create_indexes(self, pymongo) -> None:
        for table in (TRAINING, VALIDATION):
            self.database[table].create_index(
                [("run_name", pymongo.ASCENDING), ("iteration", pymongo.ASCENDING)],
                unique=True,
            )

    def _merge(self, table: str, run_name: str, given: List[Dict[str, Any]]) -> None:
        """Drops stored records past ``given``, then inserts only the new ones."""
        safe_name("run", run_name)
        collection = self.database[table]
        until = given[-1]["iteration"] + 1 if given else 0
        collection.delete_many({"run_name": run_name, "iteration": {"$gte": until}})
        last = collection.find_one(
            {"run_name": run_name}, {"iteration": True}, sort=[("iteration", -1)]
        )
        stored_until = last["iteration"] + 1 if last else 0
        new = [dict(r, run_name=run_name) for r in given if r["iteration"] >= stored_until]
        if new:
            collection.insert_many(new)
        logger.debug("stored %d new %s records of run %r", len(new), table, run_name)

    def _read(self, table: str, run_name: str) -> List[Dict[str, Any]]:
        safe_name("run", run_name)
        cursor = self.database[table].find(
            {"run_name": run_name}, {"_id": False, "run_name": False}
        )
        return list(cursor.sort("iteration", 1))

    def _delete(self, table: str, run_name: str) -> None:
        self.database[table].delete_many({"run_name": safe_name("run", run_name)})
