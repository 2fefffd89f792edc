"""The package's front door: lazy names, ``__all__``, ``__dir__``, star imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import dacapo

PACKAGE = Path(dacapo.__file__).parent


def test_a_name_whose_module_is_not_built_is_simply_absent(monkeypatch):
    monkeypatch.setitem(dacapo._LAZY_ATTRS, "later", ("dacapo.not_built_yet", "later"))
    assert not hasattr(dacapo, "later")
    with pytest.raises(AttributeError, match="module 'dacapo' has no attribute 'later'"):
        dacapo.later  # noqa: B018


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        dacapo.no_such_thing  # noqa: B018


def test_all_lists_only_what_exists_and_dir_shows_it():
    for name in dacapo.__all__:
        assert hasattr(dacapo, name), name
    assert set(dacapo.__all__) <= set(dir(dacapo))
    assert {"build", "train", "Options", "experiments"} <= set(dacapo.__all__)


def test_star_import_works_in_a_fresh_interpreter():
    code = "from dacapo import *; print(sorted(k for k in dir() if not k.startswith('_')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'build'" in out.stdout and "'train'" in out.stdout


def _package_inits():
    return sorted(p for p in PACKAGE.rglob("__init__.py") if p.read_text().strip())


@pytest.mark.parametrize("init", _package_inits(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_package_states_all_instead_of_noqa(init):
    text = init.read_text()
    assert "noqa: F401" not in text
    imports = [n for n in ast.parse(text).body if isinstance(n, ast.ImportFrom) and n.level]
    if imports:  # a package that re-exports names says which
        assert "__all__" in text
        module = ".".join(("dacapo", *init.parent.relative_to(PACKAGE).parts))
        package = __import__(module, fromlist=["__all__"])
        for name in package.__all__:
            assert hasattr(package, name), f"{module}.{name}"
