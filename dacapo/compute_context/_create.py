"""Building the compute context the options name."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple, Union

from dacapo.errors import ConfigError, DacapoError
from dacapo.options import DaCapoConfig, Options
from dacapo.store.converter import TYPE_KEY, converter

from .compute_context import ComputeContext

__all__ = ["create_compute_context"]

_WHERE = "options compute_context"


def create_compute_context(
    options: Optional[Union[DaCapoConfig, Mapping[str, Any]]] = None,
) -> ComputeContext:
    """The compute context named by ``options`` (default: ``Options.instance()``).

    ``options`` may also be the ``compute_context`` mapping itself, ``{"type":
    "LocalTorch", "config": {...}}``. An unknown type, parameter or value
    raises ``ConfigError`` naming the valid ones.
    """
    if options is None:
        options = Options.instance()
    spec = options.compute_context if isinstance(options, DaCapoConfig) else options
    type_name, config = _parse_spec(spec)
    base: type = ComputeContext  # abstract: the __type__ names the concrete class
    try:
        return converter.structure({**config, TYPE_KEY: type_name}, base)
    except DacapoError as error:
        error.with_context(_WHERE)
        raise


def _parse_spec(spec: Any) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("type"), str):
        raise ConfigError(
            f"{_WHERE}: expected a mapping like {{type: LocalTorch, config: {{}}}}, got {spec!r}"
        )
    unknown = sorted(set(spec) - {"type", "config"})
    if unknown:
        raise ConfigError(
            f"{_WHERE}: unknown key(s) {unknown}; expected only 'type' and 'config' "
            "(put the context's parameters under config)"
        )
    config = spec.get("config") or {}
    if not isinstance(config, Mapping):
        raise ConfigError(
            f"{_WHERE}: config must be a mapping of {spec['type']} parameters, got {config!r}"
        )
    return spec["type"], dict(config)
