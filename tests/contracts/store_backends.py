"""The backends the store contract suites run over, as one parametrized fixture.

``files`` uses ``tmp_path``; ``mongomock`` patches ``pymongo.MongoClient``
with ``mongomock.MongoClient`` (clients share one in-memory server); and
``mongo_server`` uses the real server at ``$DACAPO_TEST_MONGO_URL`` with a
fresh database that is dropped afterwards, and is skipped when the variable
is unset. Test modules import ``store_backend`` to use it, and
``unreachable_mongo`` for a ``pymongo.MongoClient`` whose server never answers.
"""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path
from typing import Optional

import attr
import pytest

MONGO_URL_VARIABLE = "DACAPO_TEST_MONGO_URL"


@attr.s(frozen=True)
class Backend:
    """Where a store under test keeps its data."""

    kind: str = attr.ib()  # "files" or "mongo"
    path: Optional[Path] = attr.ib(default=None)  # files
    db_host: Optional[str] = attr.ib(default=None)  # mongo
    db_name: Optional[str] = attr.ib(default=None)  # mongo


@pytest.fixture(
    params=["files", "mongomock", pytest.param("mongo_server", marks=pytest.mark.mongo_server)]
)
def store_backend(request, tmp_path, monkeypatch):
    """A fresh, empty storage location of each backend."""
    if request.param == "files":
        yield Backend("files", path=tmp_path / "store")
    elif request.param == "mongomock":
        pymongo = pytest.importorskip("pymongo")
        mongomock = pytest.importorskip("mongomock")
        server = mongomock.store.ServerStore()
        client = functools.partial(mongomock.MongoClient, _store=server)
        monkeypatch.setattr(pymongo, "MongoClient", client)
        yield Backend("mongo", db_host="mongodb://mongomock:27017", db_name="dacapo_test")
    else:
        url = os.environ.get(MONGO_URL_VARIABLE)
        if not url:
            pytest.skip(f"set {MONGO_URL_VARIABLE} to a MongoDB URL to run against a server")
        pymongo = pytest.importorskip("pymongo")
        db_name = f"dacapo_test_{uuid.uuid4().hex[:12]}"
        yield Backend("mongo", db_host=url, db_name=db_name)
        pymongo.MongoClient(url).drop_database(db_name)


@pytest.fixture
def unreachable_mongo(monkeypatch):
    """Patches ``pymongo.MongoClient`` with a client whose index creation fails."""
    pymongo = pytest.importorskip("pymongo")

    class Unreachable:
        def __init__(self, host):
            pass

        def __getitem__(self, name):
            return self

        def create_index(self, *args, **kwargs):
            raise pymongo.errors.ServerSelectionTimeoutError("no server")

    monkeypatch.setattr(pymongo, "MongoClient", Unreachable)
