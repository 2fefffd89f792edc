"""Post-processor parameters written as text: ``"ThresholdPostProcessorParameters(threshold=0.5)"``.

The form users give ``apply`` (and the CLI's ``--parameters``). It is parsed
with ``ast``, never evaluated: only a class name registered as
``PostProcessorParameters`` and keyword arguments with literal values
(numbers, strings, tuples, lists) are accepted. Values are checked and
converted like a stored config (``[1, 2, 3]`` becomes a ``Coordinate`` where
the field is one).
"""

from __future__ import annotations

import ast
from typing import Any, Dict, Tuple

from dacapo.errors import ConfigError

from .post_processor_parameters import PostProcessorParameters

__all__ = ["parse_parameters", "parameters_to_text"]

_FORM = "ClassName(name=value, ...), e.g. ThresholdPostProcessorParameters(threshold=0.5)"


def parse_parameters(text: str) -> PostProcessorParameters:
    """The parameters ``text`` describes; ``id`` defaults to 0."""
    call, class_name = _parse_call(text)
    from dacapo.store.converter import converter

    data: Dict[str, Any] = {"__type__": class_name, "id": 0, **_keyword_values(call, text)}
    try:
        return converter.structure(data, PostProcessorParameters)
    except ConfigError as error:
        error.with_context(f"parameters {text!r}")
        raise


def parameters_to_text(parameters: PostProcessorParameters) -> str:
    """The text form of ``parameters``, which ``parse_parameters`` reads back."""
    from dacapo.store.converter import converter

    data = converter.unstructure(parameters)
    name = data.pop("__type__")
    return f"{name}({', '.join(f'{key}={value!r}' for key, value in data.items())})"


def _parse_call(text: str) -> Tuple[ast.Call, str]:
    if not isinstance(text, str):
        raise ConfigError(f"parameters: expected a string of the form {_FORM}, got {text!r}")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise ConfigError(
            f"parameters {text!r} do not parse ({error.msg}); expected {_FORM}"
        ) from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.args:
        raise ConfigError(
            f"parameters {text!r}: expected a class name with keyword arguments only: {_FORM}"
        )
    return node, node.func.id


def _keyword_values(call: ast.Call, text: str) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise ConfigError(f"parameters {text!r}: `**` is not allowed; name each value")
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            raise ConfigError(
                f"parameters {text!r}: the value of {keyword.arg!r} is not a literal "
                f"({ast.unparse(keyword.value)!r}); give a number, string, list or tuple"
            ) from None
    return values
