"""The error hierarchy: callers may catch dacapo's classes or the builtins."""

import pytest

from dacapo import errors


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (errors.ConfigError, ValueError),
        (errors.UnknownTypeError, KeyError),
        (errors.UnknownTypeError, errors.ConfigError),
        (errors.RoiError, ValueError),
        (errors.ArrayNotFoundError, FileNotFoundError),
        (errors.DuplicateNameError, errors.StoreError),
        (errors.NoSuchNameError, KeyError),
    ],
)
def test_every_error_is_a_dacapo_error_and_its_builtin(cls, builtin):
    assert issubclass(cls, errors.DacapoError)
    assert issubclass(cls, builtin)
    with pytest.raises(builtin, match="culprit"):
        raise cls("culprit named here")


def test_key_errors_are_not_quoted():
    # KeyError's str() quotes its argument; ours print the message as written
    assert str(errors.UnknownTypeError("unknown 'x'")) == "unknown 'x'"
    assert str(errors.NoSuchNameError("no run 'r'")) == "no run 'r'"


def test_with_context_keeps_the_type_the_attributes_and_the_message():
    error = errors.NoSuchNameError("no run 'r'")
    error.hint = "store it first"
    same = error.with_context("field 'run'").with_context("RunConfig 'x'")
    assert same is error
    assert isinstance(same, errors.NoSuchNameError) and same.hint == "store it first"
    assert same.message == "no run 'r'"
    assert str(same) == "RunConfig 'x': field 'run': no run 'r'"
    with pytest.raises(KeyError, match=r"^RunConfig 'x': field 'run': no run 'r'$"):
        raise same


def test_context_survives_pickling_across_processes():
    import pickle

    error = errors.ConfigError("bad value").with_context("array 'raw'")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.ConfigError
    assert str(copy) == "array 'raw': bad value"
