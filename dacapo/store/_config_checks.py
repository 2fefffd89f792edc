"""The checks a config passes before a config store writes it.

A config is checked when it is made (its field types, the validators of its
fields and its ``check_values``: ranges and fields that must agree), but
configs are mutable: ``run.num_iterations = "4"`` after the fact would
otherwise be written. So a store makes the config and every config nested in
it again (which runs those checks), and also runs ``validate()`` of those
whose validation needs no data (tasks, architectures, trainers, augments,
starts, runs). Configs whose ``validate()`` opens data or files (arrays,
datasets, datasplits, wrapped and model-zoo architectures, pretrained tasks;
marked ``_validate_reads_files``) are checked in type and value only: what
they read may not exist yet when the config is stored.
"""

from __future__ import annotations

from typing import Any, Iterator, Tuple

import attr

from dacapo._checks import owner_of
from dacapo._registry import RegisteredConfig
from dacapo.errors import ConfigError, DacapoError

__all__ = ["validate_before_storing"]


def validate_before_storing(config: Any, what: str) -> None:
    """Raises ``ConfigError`` when ``config`` or a config nested in it is invalid.

    Args:
        config: The config about to be stored.
        what: Names the config in the message, e.g. ``"run config 'r1'"``.
    """
    for path, nested in _configs_in(config, ""):
        try:
            _check(nested)
        except DacapoError as error:
            error.with_context(f"cannot store {what}" + (f", field {path}" if path else ""))
            raise


def _check(config: Any) -> None:
    """``config`` made again from its fields (converters, field validators, field
    types and ``check_values`` run as when it was first made); then ``validate()``
    of that copy if it needs no data."""
    try:
        remade = attr.evolve(config)
    except DacapoError:
        raise
    except (TypeError, ValueError) as error:  # attrs' own validators (instance_of, in_)
        raise ConfigError(f"{owner_of(config)}: {error}") from error
    if _validates_without_data(remade):
        remade.validate()


def _validates_without_data(config: Any) -> bool:
    if getattr(type(config), "_fixture", False):  # Dummy* fixtures are never valid
        return False
    return not getattr(type(config), "_validate_reads_files", False)


def _configs_in(value: Any, path: str) -> Iterator[Tuple[str, Any]]:
    """``(field path, config)`` of ``value`` and every config nested in it, outermost first."""
    if isinstance(value, RegisteredConfig) and attr.has(type(value)):
        yield path, value
        for field in attr.fields(type(value)):  # type: ignore[arg-type]
            sub = f"{path}.{field.alias or field.name}" if path else (field.alias or field.name)
            yield from _configs_in(getattr(value, field.name), sub)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _configs_in(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _configs_in(item, f"{path}[{key!r}]")
