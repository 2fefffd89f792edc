"""Configs stored by name: the interface every config store implements.

A store keeps one document per config, per kind. The kinds are ``run``,
``task``, ``architecture``, ``trainer``, ``datasplit``, ``array`` and
``dataset``; each has ``store_<kind>_config(config)``,
``retrieve_<kind>_config(name)``, ``retrieve_<kind>_config_names()`` and
``delete_<kind>_config(name)``, all thin bindings of the generic
``store``, ``retrieve``, ``names`` and ``delete``. Backends implement four
primitives on plain documents (``_insert``, ``_find``, ``_list``,
``_remove``); naming rules, duplicate checks and (un)structuring live here.
"""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple

import attr

from dacapo._registry import registry_for
from dacapo.errors import ConfigError, DacapoError, DuplicateNameError, NoSuchNameError
from dacapo.store._config_checks import validate_before_storing
from dacapo.store._files import safe_name
from dacapo.store.converter import converter

logger = logging.getLogger(__name__)

__all__ = ["ConfigStore", "ConfigKind", "CONFIG_KINDS"]


@attr.s(frozen=True)
class ConfigKind:
    """A kind of stored config: its name, where it is kept and its base class."""

    name: str = attr.ib()
    collection: str = attr.ib()  # folder (files) or collection (mongo)
    base_name: str = attr.ib()  # the config base, as the registry knows it

    def base(self) -> type:
        """The config base class every stored config of this kind subclasses."""
        return registry_for(self.base_name).base


CONFIG_KINDS: Dict[str, ConfigKind] = {
    kind.name: kind
    for kind in (
        ConfigKind("run", "runs", "RunConfig"),
        ConfigKind("task", "tasks", "TaskConfig"),
        ConfigKind("architecture", "architectures", "ArchitectureConfig"),
        ConfigKind("trainer", "trainers", "TrainerConfig"),
        ConfigKind("datasplit", "datasplits", "DataSplitConfig"),
        ConfigKind("array", "arrays", "ArrayConfig"),
        ConfigKind("dataset", "datasets", "DatasetConfig"),
    )
}


class _ForKind:
    """``store_run_config = _ForKind("store", "run")``: a generic method bound to a kind."""

    _DOCS = {
        "store": "Stores a {kind} config under its name; an identical re-store does nothing.",
        "retrieve": "The {kind} config stored under ``name``.",
        "names": "Names of every stored {kind} config, sorted.",
        "delete": "Deletes the {kind} config stored under ``name``.",
    }

    def __init__(self, action: str, kind: str):
        self.action, self.kind = action, kind
        self.__doc__ = self._DOCS[action].format(kind=kind)

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name

    def __get__(self, store: Any, owner: Optional[type] = None) -> Any:
        if store is None:
            return self
        method = functools.partial(getattr(store, self.action), self.kind)
        method.__doc__ = self.__doc__
        return method


class ConfigStore(ABC):
    """Stores, retrieves, lists and deletes configs by kind and name."""

    def store(self, kind: str, config: Any) -> None:
        """Stores ``config`` as a ``kind`` config under ``config.name``.

        Storing an identical config again does nothing; a different config
        under a stored name raises ``DuplicateNameError`` naming the fields
        that differ. An invalid config (or nested config) raises ``ConfigError``
        and nothing is written (see ``dacapo.store._config_checks``).
        """
        spec = _kind(kind)
        base = spec.base()
        if not isinstance(config, base):
            raise ConfigError(
                f"store_{kind}_config: expected a {base.__name__}, got "
                f"{type(config).__name__} {config!r}"
            )
        name = safe_name(f"{kind} config", getattr(config, "name", None))
        validate_before_storing(config, f"{kind} config {name!r}")
        document = converter.unstructure(config)
        _check_storable(document, f"{kind} config {name!r}")
        existing = self._insert(spec, name, document)
        if existing is not None:
            self._check_identical(spec, name, self._normalised(spec, existing), document)
            logger.debug("%s config %r is already stored; nothing to do", kind, name)

    def retrieve(self, kind: str, name: str) -> Any:
        """The ``kind`` config stored under ``name`` (``NoSuchNameError`` if none;
        ``ConfigError`` if what is stored there names itself differently)."""
        spec = _kind(kind)
        safe_name(f"{kind} config", name)
        document = self._find(spec, name)
        if document is None:
            raise NoSuchNameError(
                f"no {kind} config named {name!r} in {self}; "
                f"stored {kind} configs: {_few(self.names(kind))}"
            )
        self._check_stored_name(spec, name, document)
        try:
            return converter.structure(document, spec.base())
        except ConfigError as error:
            error.with_context(f"{kind} config {name!r} in {self._location(spec, name)}")
            raise

    def names(self, kind: str) -> List[str]:
        """Names of every stored ``kind`` config, sorted."""
        return sorted(self._list(_kind(kind)))

    def delete(self, kind: str, name: str) -> None:
        """Deletes the ``kind`` config stored under ``name`` (``NoSuchNameError`` if none)."""
        spec = _kind(kind)
        safe_name(f"{kind} config", name)
        if not self._remove(spec, name):
            raise NoSuchNameError(
                f"cannot delete {kind} config {name!r}: none is stored in {self}; "
                f"stored {kind} configs: {_few(self.names(kind))}"
            )

    store_run_config = _ForKind("store", "run")
    retrieve_run_config = _ForKind("retrieve", "run")
    retrieve_run_config_names = _ForKind("names", "run")
    delete_run_config = _ForKind("delete", "run")
    store_task_config = _ForKind("store", "task")
    retrieve_task_config = _ForKind("retrieve", "task")
    retrieve_task_config_names = _ForKind("names", "task")
    delete_task_config = _ForKind("delete", "task")
    store_architecture_config = _ForKind("store", "architecture")
    retrieve_architecture_config = _ForKind("retrieve", "architecture")
    retrieve_architecture_config_names = _ForKind("names", "architecture")
    delete_architecture_config = _ForKind("delete", "architecture")
    store_trainer_config = _ForKind("store", "trainer")
    retrieve_trainer_config = _ForKind("retrieve", "trainer")
    retrieve_trainer_config_names = _ForKind("names", "trainer")
    delete_trainer_config = _ForKind("delete", "trainer")
    store_datasplit_config = _ForKind("store", "datasplit")
    retrieve_datasplit_config = _ForKind("retrieve", "datasplit")
    retrieve_datasplit_config_names = _ForKind("names", "datasplit")
    delete_datasplit_config = _ForKind("delete", "datasplit")
    store_array_config = _ForKind("store", "array")
    retrieve_array_config = _ForKind("retrieve", "array")
    retrieve_array_config_names = _ForKind("names", "array")
    delete_array_config = _ForKind("delete", "array")
    store_dataset_config = _ForKind("store", "dataset")
    retrieve_dataset_config = _ForKind("retrieve", "dataset")
    retrieve_dataset_config_names = _ForKind("names", "dataset")
    delete_dataset_config = _ForKind("delete", "dataset")

    @abstractmethod
    def _insert(self, kind: ConfigKind, name: str, document: Dict[str, Any]) -> Optional[dict]:
        """Stores ``document`` unless ``name`` is taken; returns the stored one if so."""

    @abstractmethod
    def _find(self, kind: ConfigKind, name: str) -> Optional[dict]:
        """The document stored under ``name``, or None."""

    @abstractmethod
    def _list(self, kind: ConfigKind) -> List[str]:
        """Names of the stored documents."""

    @abstractmethod
    def _remove(self, kind: ConfigKind, name: str) -> bool:
        """Deletes the document under ``name``; False when there was none."""

    def _location(self, kind: ConfigKind, name: str) -> str:
        """Where the ``kind`` config ``name`` is stored, for messages."""
        return f"{self} ({kind.collection})"

    def _rename_fix(self, kind: ConfigKind, name: str, inner: Any) -> str:
        """How to make the config stored under ``name`` and named ``inner`` agree."""
        return (
            f"store it under {inner!r} (and delete {name!r}), or change its `name` "
            f"to {name!r}"
        )

    def _check_stored_name(self, kind: ConfigKind, name: str, document: dict) -> None:
        """Raises ``ConfigError`` unless the config stored under ``name`` is named
        ``name`` (a file copied or renamed by hand is not): every retrieve checks this,
        so no run ever works under a name its config does not have."""
        inner = document.get("name", _MISSING)
        if inner == name:
            return
        where = self._location(kind, name)
        if inner is _MISSING:
            raise ConfigError(
                f"{kind.name} config {name!r} in {where} has no `name` field; add "
                f"`name: {name}` to it"
            )
        raise ConfigError(
            f"{kind.name} config {name!r} in {where} is named {inner!r} inside; a stored "
            f"config must carry the name it is stored under: "
            f"{self._rename_fix(kind, name, inner)}"
        )

    def _normalised(self, kind: ConfigKind, document: dict) -> dict:
        """``document`` read back and written again, so defaults compare equal."""
        try:
            return converter.unstructure(converter.structure(document, kind.base()))
        except DacapoError:
            return document

    def _check_identical(self, kind: ConfigKind, name: str, stored: dict, given: dict) -> None:
        """Raises ``DuplicateNameError`` naming the fields where the documents differ."""
        differences = _differences(stored, given)
        if not differences:
            return
        fields = sorted({path.split(".")[0].split("[")[0] for path, _, _ in differences})
        details = "; ".join(
            f"{path}: stored {_short(a)}, given {_short(b)}" for path, a, b in differences[:3]
        )
        raise DuplicateNameError(
            f"{kind.name} config {name!r} is already stored in "
            f"{self._location(kind, name)} with different field(s) {fields} ({details}); "
            "store the new config under another name, or first delete the stored one "
            f"with delete_{kind.name}_config({name!r})"
        )


def _differences(stored: Any, given: Any, path: str = "") -> List[Tuple[str, Any, Any]]:
    """``(path, stored value, given value)`` of every leaf where the documents differ."""
    if isinstance(stored, dict) and isinstance(given, dict):
        missing = "<missing>"
        found = []
        for key in sorted(set(stored) | set(given)):
            sub = f"{path}.{key}" if path else str(key)
            found += _differences(stored.get(key, missing), given.get(key, missing), sub)
        return found
    if isinstance(stored, list) and isinstance(given, list) and len(stored) == len(given):
        found = []
        for index, (a, b) in enumerate(zip(stored, given, strict=True)):
            found += _differences(a, b, f"{path}[{index}]")
        return found
    return [] if stored == given else [(path, stored, given)]


_PLAIN = (type(None), bool, int, float, str)
_MISSING = object()


def _check_storable(document: Any, owner: str, path: str = "") -> None:
    """Raises ``ConfigError`` naming the first field of ``document`` that holds
    something other than plain data (e.g. an in-memory torch module), which no
    store can write."""
    if isinstance(document, dict):
        for key, value in document.items():
            _check_storable(value, owner, f"{path}.{key}" if path else str(key))
    elif isinstance(document, (list, tuple)):
        for index, value in enumerate(document):
            _check_storable(value, owner, f"{path}[{index}]")
    elif not isinstance(document, _PLAIN):
        if hasattr(document, "state_dict"):  # a torch module
            fix = (
                "save the module to a file (torch.jit.save(torch.jit.script(module), path) "
                "or torch.save(module, path)) and give that path instead"
            )
        else:
            fix = "give a plain value (number, string, list or mapping) instead"
        raise ConfigError(
            f"cannot store {owner}: field {path} holds an in-memory "
            f"{type(document).__name__} object, which cannot be written to a config "
            f"store; {fix}"
        )


def _kind(kind: str) -> ConfigKind:
    """The ``ConfigKind`` called ``kind``."""
    try:
        return CONFIG_KINDS[kind]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown config kind {kind!r}; expected one of {sorted(CONFIG_KINDS)}"
        ) from None


def _few(names: List[str], limit: int = 5) -> str:
    """Up to ``limit`` names for a message."""
    if not names:
        return "(none)"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(repr(n) for n in names[:limit]) + more


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
