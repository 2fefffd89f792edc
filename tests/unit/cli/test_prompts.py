"""The kind of value asked for each parameter, from its attrs field's type."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attr
import pytest

from dacapo.cli._prompts import Parameter, _kind, _parse, parameters_of


@pytest.mark.parametrize("annotation, expected", [
    (bool, ("bool", False)), (int, ("int", False)), (Optional[float], ("float", True)),
    (str, ("str", False)), (List[str], ("list", False)), (Tuple[int, ...], ("list", False)),
    (Optional[Dict[str, Any]], ("yaml", True)),
    ("bool", ("bool", False)), ("Optional[int]", ("int", True)), ("float | None", ("float", True)),
    ("List[str]", ("list", False)), ("Mapping[str, Any]", ("yaml", False)),
])
def test_kinds(annotation, expected):
    assert _kind(annotation) == expected


def test_parameters_of_use_init_names_defaults_and_help():
    @attr.s
    class Example:
        _secret: Optional[str] = attr.ib(default=None, metadata={"help_text": "Hidden field."})
        count: int = attr.ib(default=2)
        names: List[str] = attr.ib(factory=lambda: ["a"])
        derived: int = attr.ib(init=False, default=0)

    assert parameters_of(Example) == [
        Parameter("secret", "str", True, None, "Hidden field."),
        Parameter("count", "int", False, 2, ""),
        Parameter("names", "list", False, ["a"], ""),
    ]


@pytest.mark.parametrize("kind, text, value", [
    ("int", "3", 3), ("float", "0.5", 0.5), ("bool", "yes", True), ("str", "a b", "a b"),
    ("list", "--qos 'high prio'", ["--qos", "high prio"]), ("yaml", "{a: 1}", {"a": 1}),
])
def test_answers_are_parsed_by_kind(kind, text, value):
    assert _parse(text, Parameter("p", kind, False, None, "")) == value


def test_none_is_an_answer_only_for_optional_parameters():
    assert _parse("none", Parameter("p", "int", True, None, "")) is None
    with pytest.raises(Exception, match="'none' is not a whole number for p$"):
        _parse("none", Parameter("p", "int", False, 1, ""))
