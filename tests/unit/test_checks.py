"""``dacapo._checks``: the one module of value checks, one signature, one wording."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import dacapo
from dacapo._checks import (
    as_list,
    as_tuple,
    check_bool,
    check_choice,
    check_clip,
    check_fraction,
    check_int,
    check_interval,
    check_kernel_size,
    check_names,
    check_neighborhood,
    check_number,
    check_numbers,
    check_regex,
    check_same_length,
    is_int,
    is_number,
    owner_of,
)
from dacapo.errors import ConfigError

OWNER = "ThingConfig 't'"


def test_numpy_scalars_count_as_what_they_hold():
    assert is_int(np.int64(3)) and is_int(np.uint8(3)) and is_int(3)
    assert not is_int(True) and not is_int(np.bool_(True)) and not is_int(3.0)
    assert is_number(np.float32(0.5)) and is_number(np.int32(2)) and is_number(0.5)
    assert not is_number(False) and not is_number(np.bool_(False)) and not is_number("1")


def test_check_int_accepts_numpy_integers_and_returns_int():
    value = check_int(OWNER, "size", np.int64(4), 1)
    assert value == 4 and type(value) is int
    assert check_int(OWNER, "size", 7, 1, 7) == 7
    assert check_int(OWNER, "size", None, 1, allow_none=True) is None


@pytest.mark.parametrize(
    ("value", "kwargs", "match"),
    [
        (True, {"minimum": 0}, r"^ThingConfig 't': `size` must be an integer >= 0, got True$"),
        (np.bool_(True), {"minimum": 0}, r"`size` must be an integer >= 0, got (np\.)?True_?$"),
        (2.0, {"minimum": 0}, r"`size` must be an integer >= 0, got 2.0$"),
        (np.float32(2), {}, r"`size` must be an integer, got (np\.float32\()?2\.0\)?$"),
        (0, {"minimum": 1}, r"`size` must be an integer >= 1, got 0$"),
        (9, {"minimum": 1, "maximum": 8}, r"`size` must be an integer in \[1, 8\], got 9$"),
        (None, {"minimum": 1}, r"`size` must be an integer >= 1, got None$"),
        ("3", {"allow_none": True}, r"`size` must be an integer \(or None\), got '3'$"),
    ],
)
def test_check_int_refuses(value, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        check_int(OWNER, "size", value, **kwargs)


def test_check_number_accepts_numpy_numbers_and_returns_float():
    value = check_number(OWNER, "rate", np.float32(0.5), 0, strict=True)
    assert value == 0.5 and type(value) is float
    assert check_number(OWNER, "rate", np.int64(0), 0) == 0.0
    assert check_number(OWNER, "rate", -3) == -3.0
    assert check_number(OWNER, "rate", None, allow_none=True) is None


@pytest.mark.parametrize(
    ("value", "kwargs", "match"),
    [
        (
            0,
            {"minimum": 0, "strict": True},
            r"^ThingConfig 't': `rate` must be a finite number > 0, got 0$",
        ),
        (-0.5, {"minimum": 0}, r"`rate` must be a finite number >= 0, got -0.5$"),
        (math.nan, {}, r"`rate` must be a finite number, got nan$"),
        (math.inf, {"minimum": 0}, r"`rate` must be a finite number >= 0, got inf$"),
        (False, {}, r"`rate` must be a finite number, got False$"),
        ("1", {"allow_none": True}, r"`rate` must be a finite number \(or None\), got '1'$"),
    ],
)
def test_check_number_refuses(value, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        check_number(OWNER, "rate", value, **kwargs)


def test_check_fraction_is_the_one_probability_check():
    assert check_fraction(OWNER, "p", np.float32(0.25)) == 0.25
    assert check_fraction(OWNER, "p", 0) == 0.0 and check_fraction(OWNER, "p", 1) == 1.0
    assert check_fraction(OWNER, "p", None, allow_none=True) is None
    with pytest.raises(
        ConfigError,
        match=r"^ThingConfig 't': `p` must be a number in \[0, 1\], got 1.5$",
    ):
        check_fraction(OWNER, "p", 1.5)
    with pytest.raises(ConfigError, match=r"`p` must be a number in \[0, 1\], got True$"):
        check_fraction(OWNER, "p", True)
    with pytest.raises(ConfigError, match=r"`p` must be a number in \[0, 1\], got None$"):
        check_fraction(OWNER, "p", None)


def test_check_bool():
    assert check_bool(OWNER, "flag", np.bool_(True)) is True
    assert check_bool(OWNER, "flag", False) is False
    with pytest.raises(
        ConfigError,
        match=r"^ThingConfig 't': `flag` must be True or False, got 1$",
    ):
        check_bool(OWNER, "flag", 1)


def test_check_choice():
    assert check_choice(OWNER, "loss", "mse", ("mse", "dice")) == "mse"
    with pytest.raises(ConfigError, match=r"`loss` must be one of \['mse', 'dice'\], got 'l1'$"):
        check_choice(OWNER, "loss", "l1", ("mse", "dice"))


def test_check_names():
    assert check_names(OWNER, "classes", ("a", "b")) == ["a", "b"]
    with pytest.raises(ConfigError, match=r"`classes` must be a non-empty list .*, got 'ab'; e.g."):
        check_names(OWNER, "classes", "ab")
    with pytest.raises(
        ConfigError,
        match=r"`classes` must be a non-empty list .*, got \['a', ''\]",
    ):
        check_names(OWNER, "classes", ["a", ""])
    with pytest.raises(ConfigError, match=r"unique names, got \['a', 'a'\]; \['a'\] repeat a name"):
        check_names(OWNER, "classes", ["a", "a"])


def test_check_numbers():
    assert check_numbers(OWNER, "sigma", (np.float32(1), 2), 0) == [1.0, 2]
    with pytest.raises(
        ConfigError,
        match=r"`sigma` must be a non-empty list of finite numbers > 0, got \[1, 0\]",
    ):
        check_numbers(OWNER, "sigma", [1, 0], 0, strict=True)
    with pytest.raises(
        ConfigError,
        match=r"`sigma` must be a non-empty list of finite numbers, got \[\]",
    ):
        check_numbers(OWNER, "sigma", [])
    with pytest.raises(ConfigError, match=r"`sigma` .*, got \[True\]"):
        check_numbers(OWNER, "sigma", [True])


def test_check_interval():
    assert check_interval(OWNER, "range", [np.float32(0.5), 2]) == (0.5, 2.0)
    with pytest.raises(
        ConfigError,
        match=r"`range` must be a pair \(min, max\) of numbers with min <= max, got \(2, 1\)",
    ):
        check_interval(OWNER, "range", (2, 1))
    with pytest.raises(ConfigError, match=r"`range` .* with 0 < min <= max, got \(0, 1\)"):
        check_interval(OWNER, "range", (0, 1), positive=True)
    with pytest.raises(ConfigError, match=r"`range` must be a pair .*, got \(1, 2, 3\)"):
        check_interval(OWNER, "range", (1, 2, 3))


def test_check_same_length():
    values = ([1, 2], (3, 4))
    assert check_same_length(OWNER, ("a", "b"), values) is values
    with pytest.raises(
        ConfigError,
        match=r"^ThingConfig 't': `a`, `b` must have the same length .*, got \[1, 2\], \[3\]$",
    ):
        check_same_length(OWNER, ("a", "b"), ([1, 2], [3]))


def test_check_clip():
    assert check_clip(OWNER, ("lo", "hi"), (np.float32(0.25), 1)) == (0.25, 1.0)
    with pytest.raises(
        ConfigError,
        match=r"`lo`, `hi` must satisfy 0 < lo <= hi <= 1, got 0.9, 0.1$",
    ):
        check_clip(OWNER, ("lo", "hi"), (0.9, 0.1))
    with pytest.raises(ConfigError, match=r"`lo` must be a finite number > 0, got 0$"):
        check_clip(OWNER, ("lo", "hi"), (0, 0.5))


def test_check_kernel_size():
    assert check_kernel_size(OWNER, "kernel_size", None) == 1
    assert check_kernel_size(OWNER, "kernel_size", np.int64(3)) == 3
    with pytest.raises(ConfigError, match=r"`kernel_size` must be odd, got 4; use e.g. 1 or 3"):
        check_kernel_size(OWNER, "kernel_size", 4)
    with pytest.raises(ConfigError, match=r"`kernel_size` must be an integer >= 1, got True"):
        check_kernel_size(OWNER, "kernel_size", True)


def test_check_neighborhood():
    assert check_neighborhood(OWNER, "nb", [np.array([1, 0]), (0, 1)]) == [(1, 0), (0, 1)]
    with pytest.raises(
        ConfigError,
        match=r"`nb` must be a non-empty list of 2D or 3D offsets.*, got \[\(1,\)\]",
    ):
        check_neighborhood(OWNER, "nb", [(1,)])
    with pytest.raises(
        ConfigError,
        match=r"`nb` .*, got \[\(0, 0\)\]; remove the zero or repeated",
    ):
        check_neighborhood(OWNER, "nb", [(0, 0)])
    with pytest.raises(ConfigError, match=r"`nb` must be a non-empty list .*, got 3"):
        check_neighborhood(OWNER, "nb", 3)


def test_check_regex():
    assert check_regex(OWNER, "pattern", "conv.*") == "conv.*"
    assert check_regex(OWNER, "pattern", None, allow_none=True) is None
    with pytest.raises(
        ConfigError,
        match=r"`pattern` must be a valid regular expression, got 'a\['; ",
    ):
        check_regex(OWNER, "pattern", "a[")
    with pytest.raises(ConfigError, match=r"`pattern` must be a valid .* \(or None\), got 3; "):
        check_regex(OWNER, "pattern", 3, allow_none=True)


def test_owner_and_converters():
    class Named:
        name = "n"

    class Unnamed:
        pass

    assert owner_of(Named()) == "Named 'n'" and owner_of(Unnamed()) == "Unnamed"
    assert as_tuple([1, 2]) == (1, 2) and as_tuple((1,)) == (1,) and as_tuple(None) is None
    assert as_list((1, 2)) == [1, 2] and as_list([1]) == [1] and as_list(None) is None


def _module_level_checks(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [
        node.name
        for node in tree.body
        if isinstance(node, functions) and node.name.startswith("check_")
    ]


def test_only_one_module_defines_value_checks():
    package = Path(dacapo.__file__).parent
    home = package / "_checks.py"
    assert _module_level_checks(home), "dacapo/_checks.py defines no check_* function"
    elsewhere = {
        str(path.relative_to(package.parent)): names
        for path in sorted(package.rglob("*.py"))
        if path != home and (names := _module_level_checks(path))
    }
    assert elsewhere == {}, (
        "value checks (module-level check_* functions) belong in dacapo/_checks.py; "
        f"found {elsewhere}"
    )
