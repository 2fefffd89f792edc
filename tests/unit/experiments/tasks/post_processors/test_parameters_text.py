"""Parameters given as text are parsed, never evaluated."""

import pytest
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError, UnknownTypeError
from dacapo.experiments.tasks.post_processors import (
    ThresholdPostProcessorParameters,
    WatershedPostProcessorParameters,
)
from dacapo.experiments.tasks.post_processors.parameters_text import (
    parameters_to_text,
    parse_parameters,
)


def test_threshold_parameters():
    parsed = parse_parameters("ThresholdPostProcessorParameters(threshold=0.25)")
    assert parsed == ThresholdPostProcessorParameters(id=0, threshold=0.25)


def test_values_are_converted_like_a_stored_config():
    parsed = parse_parameters(
        " WatershedPostProcessorParameters(id=3, bias=0.5, context=[4, 8, 8]) "
    )
    assert parsed == WatershedPostProcessorParameters(id=3, bias=0.5, context=Coordinate(4, 8, 8))


def test_str_of_parsed_parameters_names_the_values():
    assert str(parse_parameters("ThresholdPostProcessorParameters(threshold=1)")) == "threshold_1.0"


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("ThresholdPostProcessorParameters(", ConfigError, r"do not parse .*expected ClassName"),
        ("__import__('os').system('true')", ConfigError, "class name with keyword arguments only"),
        ("ThresholdPostProcessorParameters(0.5)", ConfigError, "keyword arguments only"),
        ("ThresholdPostProcessorParameters(threshold=open('x'))", ConfigError, "'threshold' is not a literal"),
        ("ThresholdPostProcessorParameters(**{'threshold': 1})", ConfigError, r"`\*\*` is not allowed"),
        ("TresholdPostProcessorParameters(threshold=1)", UnknownTypeError, "did you mean 'ThresholdPostProcessorParameters'"),
        ("ThresholdPostProcessorParameters(treshold=1)", ConfigError, r"unknown field\(s\) \['treshold'\]"),
        ("ThresholdPostProcessorParameters(threshold='high')", ConfigError, "field 'threshold': expected float"),
    ],
)
def test_bad_text_is_refused_with_the_form_to_use(text, error, message):
    with pytest.raises(error, match=message):
        parse_parameters(text)


def test_not_a_string():
    with pytest.raises(ConfigError, match="expected a string of the form"):
        parse_parameters(0.5)


@pytest.mark.parametrize(
    "parameters",
    [
        ThresholdPostProcessorParameters(id=4, threshold=-0.0125),
        WatershedPostProcessorParameters(id=2, bias=0.75, context=Coordinate(8, 16, 16)),
    ],
)
def test_text_form_reads_back(parameters):
    text = parameters_to_text(parameters)
    assert text.startswith(type(parameters).__name__ + "(id=")
    assert parse_parameters(text) == parameters
