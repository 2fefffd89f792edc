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
