"""Asking for the parameters of a config class, derived from its attrs fields
(name, type, default and ``metadata["help_text"]``), so that a new compute
context is asked for without changes here."""

from __future__ import annotations

import shlex
import typing
from typing import Any, Dict, List, Mapping, Tuple

import attr
import click
import yaml

__all__ = ["Parameter", "parameters_of", "ask"]

_NONE_WORDS = ("", "none", "null")


@attr.s(frozen=True, auto_attribs=True)
class Parameter:
    """One constructor parameter of a config class."""

    name: str
    kind: str  # "bool", "int", "float", "str", "list" or "yaml"
    optional: bool
    default: Any  # attr.NOTHING when the parameter is required
    help: str


def parameters_of(cls: type) -> List[Parameter]:
    """The parameters of attrs class ``cls``, in the order of its fields."""
    try:
        attr.resolve_types(cls)
    except Exception:  # annotations naming what the module only imports for typing
        pass
    found = []
    for field in attr.fields(cls):
        if not field.init:
            continue
        kind, optional = _kind(field.type)
        default = field.default
        if isinstance(default, attr.Factory):  # type: ignore[arg-type]
            default = attr.NOTHING if default.takes_self else default.factory()
        found.append(Parameter(
            name=getattr(field, "alias", None) or field.name.lstrip("_"), kind=kind,
            optional=optional or default is None, default=default,
            help=str(field.metadata.get("help_text", "")),
        ))
    return found


def _kind(annotation: Any) -> Tuple[str, bool]:
    """``(kind, optional)`` of a field's type (resolved, or its text)."""
    if isinstance(annotation, str):
        return _kind_of_text(annotation.replace(" ", ""))
    arguments = typing.get_args(annotation)
    optional = type(None) in arguments
    if optional:
        others = [a for a in arguments if a is not type(None)]
        annotation = others[0] if len(others) == 1 else Any
    for kind in (bool, int, float, str):
        if annotation is kind:
            return kind.__name__, optional
    origin = typing.get_origin(annotation)
    if origin in (list, tuple) or annotation in (list, tuple):
        return "list", optional
    return "yaml", optional


def _kind_of_text(text: str) -> Tuple[str, bool]:
    """``_kind`` of an annotation left as text (``"Optional[int]"``, ``"List[str]"``)."""
    optional = text.startswith("Optional[") or "|None" in text
    if text.startswith("Optional["):
        text = text[len("Optional["):-1]
    text = text.replace("|None", "")
    if text in ("bool", "int", "float", "str"):
        return text, optional
    if text.lower().startswith(("list", "tuple", "sequence")):
        return "list", optional
    return "yaml", optional


def ask(parameter: Parameter, current: Mapping[str, Any]) -> Any:
    """Prompts for ``parameter`` (default: its value in ``current``, else its own)."""
    default = current.get(parameter.name, parameter.default)
    if parameter.help:
        click.echo(f"  {parameter.name}: {parameter.help}")
    if parameter.kind == "bool" and not parameter.optional:
        return click.prompt(f"  {parameter.name}", type=click.BOOL,
                            default=None if default is attr.NOTHING else bool(default))
    shown = None if default is attr.NOTHING else _as_text(default, parameter.kind)
    return click.prompt(f"  {parameter.name}", default=shown,
                        value_proc=lambda text: _parse(text, parameter))


def _as_text(value: Any, kind: str) -> str:
    if value is None:
        return "none"
    if kind == "list":
        return shlex.join(str(v) for v in value)
    if kind == "yaml":
        return yaml.safe_dump(value, default_flow_style=True).strip()
    return str(value)


def _parse(text: str, parameter: Parameter) -> Any:
    """``text`` as ``parameter``'s kind; ``click.UsageError`` makes click ask again."""
    text = text.strip()
    if parameter.optional and text.lower() in _NONE_WORDS:
        return None
    parsers: Dict[str, Any] = {"bool": click.BOOL, "int": int, "float": float, "str": str,
                               "list": shlex.split, "yaml": yaml.safe_load}
    try:
        return parsers[parameter.kind](text)
    except (ValueError, click.BadParameter, yaml.YAMLError):
        expected = {"int": "a whole number", "float": "a number", "bool": "yes or no",
                    "list": "words separated by spaces", "yaml": "a YAML value"}
        raise click.UsageError(
            f"{text!r} is not {expected.get(parameter.kind, 'valid')} for {parameter.name}"
            + (" (or none)" if parameter.optional else "")
        ) from None
