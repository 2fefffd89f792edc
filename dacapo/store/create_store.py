"""The stores named by the options (``Options.instance()``).

With ``type: files`` (the default) everything lives under ``runs_base_dir``:
configs in ``configs/``, stats in ``stats/``, weights and arrays in
``<run>/``. With ``type: mongo`` configs and stats go to MongoDB
(``mongo_db_host``, ``mongo_db_name``); weights and arrays stay files.
"""

from __future__ import annotations

from typing import Tuple

from dacapo.errors import ConfigError
from dacapo.options import DaCapoConfig, Options, usable_runs_base_dir
from dacapo.store.array_store import ArrayStore
from dacapo.store.config_store import ConfigStore
from dacapo.store.stats_store import StatsStore
from dacapo.store.weights_store import WeightsStore

__all__ = [
    "create_config_store",
    "create_stats_store",
    "create_weights_store",
    "create_array_store",
]


def create_config_store() -> ConfigStore:
    """The config store of the current options."""
    options = Options.instance()
    if options.type == "mongo":
        from dacapo.store.mongo_config_store import MongoConfigStore

        return MongoConfigStore(*_mongo_options(options))
    from dacapo.store.file_config_store import FileConfigStore

    return FileConfigStore(usable_runs_base_dir(options.runs_base_dir) / "configs")


def create_stats_store() -> StatsStore:
    """The stats store of the current options."""
    options = Options.instance()
    if options.type == "mongo":
        from dacapo.store.mongo_stats_store import MongoStatsStore

        return MongoStatsStore(*_mongo_options(options))
    from dacapo.store.file_stats_store import FileStatsStore

    return FileStatsStore(usable_runs_base_dir(options.runs_base_dir) / "stats")


def create_weights_store() -> WeightsStore:
    """The weights store: checkpoints under ``runs_base_dir`` (which must be
    writable: training locks and checkpoints go there) for every store type."""
    from dacapo.store.local_weights_store import LocalWeightsStore

    return LocalWeightsStore(usable_runs_base_dir(Options.instance().runs_base_dir, writable=True))


def create_array_store() -> ArrayStore:
    """The array store: zarr containers under ``runs_base_dir`` (which must be
    writable) for every store type."""
    from dacapo.store.local_array_store import LocalArrayStore

    return LocalArrayStore(usable_runs_base_dir(Options.instance().runs_base_dir, writable=True))


def _mongo_options(options: DaCapoConfig) -> Tuple[str, str]:
    """``(mongo_db_host, mongo_db_name)``; ``ConfigError`` naming what is unset."""
    host, name = options.mongo_db_host, options.mongo_db_name
    if not host or not name:
        missing = [m for m, v in (("mongo_db_host", host), ("mongo_db_name", name)) if not v]
        where = Options.config_file() or "an options file (e.g. ~/dacapo.yaml)"
        raise ConfigError(
            f"options: type is 'mongo' but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; set "
            f"{', '.join(f'{m}: ...' for m in missing)} in {where}, or use type: files"
        )
    return host, name
