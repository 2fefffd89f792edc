"""Where dacapo keeps its runs and how it reaches its stores.

Options are read from the first file found among ``$DACAPO_OPTIONS_FILE``,
``./dacapo.yaml``, ``~/dacapo.yaml`` and ``~/.config/dacapo/dacapo.yaml``;
keyword overrides given to ``Options.instance`` win over the file (a
``$DACAPO_OPTIONS_FILE`` naming no file is skipped with a warning). Reading
options never changes the environment: workers spawned later find the same
file by the same search, or through ``DACAPO_OPTIONS_FILE`` set by the code
that spawns them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import attr
import yaml

from dacapo._paths import as_path
from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["DaCapoConfig", "Options", "usable_runs_base_dir"]

_STORE_TYPES = ("files", "mongo")
_WARNED_MISSING: Set[str] = set()  # DACAPO_OPTIONS_FILE values already warned about


def _runs_base_dir(value: Any) -> Path:
    """``value`` as a path, ``~`` expanded for local paths; URLs stay URLs."""
    if isinstance(value, (str, os.PathLike)) and "://" not in str(value):
        value = os.path.expanduser(str(value))
    try:
        return as_path(value)
    except ConfigError as error:
        error.with_context("runs_base_dir")
        raise


def _check_type(instance, attribute, value):
    if value not in _STORE_TYPES:
        raise ConfigError(f"type: expected one of {list(_STORE_TYPES)}, got {value!r}")


def _check_compute_context(instance, attribute, value):
    if not isinstance(value, dict) or "type" not in value:
        raise ConfigError(
            "compute_context: expected a mapping like {type: LocalTorch, config: {}}, "
            f"got {value!r}"
        )


def _optional_str(instance, attribute, value):
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{attribute.name}: expected a string or null, got {value!r}")


def _check_bool(instance, attribute, value):
    if not isinstance(value, bool):
        raise ConfigError(f"{attribute.name}: expected true or false, got {value!r}")


def _check_tracking_uri(instance, attribute, value):
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(
            f"{attribute.name}: expected an MLflow tracking URI such as "
            f"http://mlflow.example.org:5000 (or null for no MLflow), got {value!r}"
        )


@attr.s
class DaCapoConfig:
    """The options themselves."""

    type: str = attr.ib(
        default="files",
        validator=_check_type,
        metadata={"help_text": "Store backend: 'files' (no server) or 'mongo'."},
    )
    runs_base_dir: Path = attr.ib(
        default=Path("~/dacapo"),  # the converter expands ~
        converter=_runs_base_dir,
        metadata={"help_text": "Directory (or s3:// URL) holding configs, stats and runs."},
    )
    compute_context: Dict[str, Any] = attr.ib(
        factory=lambda: {"type": "LocalTorch", "config": {}},
        validator=_check_compute_context,
        metadata={"help_text": "Where blockwise workers run: LocalTorch, Bsub or Slurm."},
    )
    mongo_db_host: Optional[str] = attr.ib(
        default=None,
        validator=_optional_str,
        metadata={"help_text": "MongoDB URL, needed when type is 'mongo'."},
    )
    mongo_db_name: Optional[str] = attr.ib(
        default=None,
        validator=_optional_str,
        metadata={"help_text": "MongoDB database name, needed when type is 'mongo'."},
    )
    tensorboard: bool = attr.ib(
        default=True,
        validator=_check_bool,
        metadata={
            "help_text": "Write each run's training loss, learning rate and validation scores "
            "as TensorBoard event files to <runs_base_dir>/<run>/tensorboard/ "
            "(view them with `tensorboard --logdir <runs_base_dir>`)."
        },
    )
    mlflow_tracking_uri: Optional[str] = attr.ib(
        default=None,
        validator=_check_tracking_uri,
        metadata={
            "help_text": "Also send those metrics, and the run config as parameters, to this "
            "MLflow tracking server or store (e.g. http://host:5000), "
            "one MLflow run per run in the experiment 'dacapo'; needs the `mlflow` extra "
            "(pip install 'dacapo-ml[mlflow]'). Null: no MLflow."
        },
    )

    def serialize(self) -> Dict[str, Any]:
        """The options as plain data, unset (None) values left out."""
        data = {
            "type": self.type,
            "runs_base_dir": str(self.runs_base_dir),
            "compute_context": self.compute_context,
            "mongo_db_host": self.mongo_db_host,
            "mongo_db_name": self.mongo_db_name,
            "tensorboard": self.tensorboard,
            "mlflow_tracking_uri": self.mlflow_tracking_uri,
        }
        return {k: v for k, v in data.items() if v is not None}


class Options:
    """Entry point for reading options: ``Options.instance(**overrides)``."""

    @classmethod
    def search_paths(cls) -> List[Path]:
        """Candidate option files, in the order they are tried."""
        paths = []
        if os.environ.get("DACAPO_OPTIONS_FILE"):
            paths.append(Path(os.environ["DACAPO_OPTIONS_FILE"]).expanduser())
        paths.append(Path.cwd() / "dacapo.yaml")
        paths.append(Path.home() / "dacapo.yaml")
        paths.append(Path.home() / ".config" / "dacapo" / "dacapo.yaml")
        return paths

    @classmethod
    def config_file(cls) -> Optional[Path]:
        """The options file in use, or None when there is none.

        A ``DACAPO_OPTIONS_FILE`` naming no file is skipped with a warning, as
        in upstream DaCapo, and the search goes on.
        """
        env = os.environ.get("DACAPO_OPTIONS_FILE")
        if env and not Path(env).expanduser().is_file() and env not in _WARNED_MISSING:
            _WARNED_MISSING.add(env)  # options are re-read often: warn once per path
            logger.warning(
                "DACAPO_OPTIONS_FILE names %r, which is not a file; ignoring it and "
                "searching ./dacapo.yaml, ~/dacapo.yaml and ~/.config/dacapo/dacapo.yaml",
                env,
            )
        for path in cls.search_paths():
            if path.is_file():
                return path
        return None

    @classmethod
    def instance(cls, **overrides) -> DaCapoConfig:
        """Options from the file found (re-read on every call) and ``overrides``."""
        path = cls.config_file()
        values = _read_options_file(path) if path is not None else {}
        values.update(overrides)
        return _build(values, source=str(path) if path else "keyword overrides")


def _read_options_file(path: Path) -> Dict[str, Any]:
    try:
        values = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"options file {path}: not valid YAML ({error})") from error
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(
            f"options file {path}: expected a mapping of option names to values, "
            f"got {type(values).__name__}"
        )
    return values


def _build(values: Dict[str, Any], source: str) -> DaCapoConfig:
    known = [a.name for a in attr.fields(DaCapoConfig)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(
            f"options from {source}: unknown key(s) {unknown}; known keys: {known}"
        )
    try:
        return DaCapoConfig(**values)
    except ConfigError as error:
        error.with_context(f"options from {source}")
        raise


def usable_runs_base_dir(path: Path, *, writable: bool = False) -> Path:
    """Makes sure the ``runs_base_dir`` ``path`` is a directory (creating it and
    its parents when missing) and, with ``writable``, that this user can write
    there; returns ``path``.

    ``ConfigError`` naming the option, the path and the options file when it is
    a file, lies inside a file, cannot be created or is not writable. URLs
    (``s3://``) are not checked.
    """
    if getattr(path, "protocol", "") or "://" in str(path):
        return path
    path = Path(path)
    where = Options.config_file() or "an options file (e.g. ~/dacapo.yaml)"
    fix = f"set runs_base_dir in {where} to a directory you can write to"
    if path.exists() and not path.is_dir():
        raise ConfigError(f"runs_base_dir {path} is a file, not a directory; {fix}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file" if blocker else (error.strerror or str(error))
        raise ConfigError(
            f"runs_base_dir {path} does not exist and cannot be created ({reason}); {fix}"
        ) from None
    if writable and not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(
            f"runs_base_dir {path} is not writable by this user; {fix}, or get write "
            "permission for it"
        )
    return path
