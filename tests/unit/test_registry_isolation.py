"""Config classes defined by tests stay out of dacapo's registries
(``tests/_registries.py``): between tests, every registered class and every
registry root comes from the dacapo package."""

import subprocess
import sys
from pathlib import Path

import attr

from dacapo._registry import RegisteredConfig, all_registries
from dacapo.experiments.tasks.task_config import TaskConfig
from tests import _registries

REPO = Path(__file__).resolve().parents[2]

# imports every module under tests/ (as pytest does at collection), then lists
# what they left in the registries
_IMPORT_ALL_TEST_MODULES = """
import importlib, json, pathlib, sys
from tests import _registries
from dacapo._registry import load_builtin_configs
load_builtin_configs()
for path in sorted(pathlib.Path("tests").rglob("*.py")):
    name = ".".join(path.with_suffix("").parts)
    try:
        importlib.import_module(name)
    except BaseException as error:  # a module that skips itself (pytest.importorskip)
        print(f"not imported: {name}: {type(error).__name__}", file=sys.stderr)
print(json.dumps(_registries.leaked()))
"""


def test_no_test_class_is_registered_now():
    # in a whole-suite run every test module has been imported (collected) by now
    assert _registries.leaked() == []


def test_importing_every_test_module_registers_no_test_class():
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_TEST_MODULES],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    leaked = result.stdout.strip().splitlines()[-1]
    assert leaked == "[]", f"test-only config classes left registered: {leaked}"


def test_a_class_defined_in_a_test_is_removed_after_it():
    before = _registries.snapshot()

    @attr.s
    class _DefinedInATestConfig(TaskConfig):
        pass

    assert TaskConfig.registry().get("_DefinedInATestConfig") is _DefinedInATestConfig
    cls = _DefinedInATestConfig
    assert _registries.leaked() == [f"{cls.__module__}.{cls.__qualname__} (in TaskConfig)"]
    _registries.remove_added_since(before)
    assert "_DefinedInATestConfig" not in TaskConfig.registry().names()
    assert _registries.leaked() == []


def test_registered_puts_test_classes_back_for_a_block():
    @attr.s
    class _RootOfATestConfig(RegisteredConfig, registry_root=True, abstract=True):
        pass

    @attr.s
    class _BlockTaskConfig(TaskConfig):
        pass

    _registries.unregister(_RootOfATestConfig, _BlockTaskConfig)
    assert "_RootOfATestConfig" not in all_registries()
    assert "_BlockTaskConfig" not in TaskConfig.registry().names()
    with _registries.registered(_RootOfATestConfig, _BlockTaskConfig):
        assert all_registries()["_RootOfATestConfig"].base is _RootOfATestConfig
        assert TaskConfig.registry().get("_BlockTaskConfig") is _BlockTaskConfig
    assert "_RootOfATestConfig" not in all_registries()
    assert "_BlockTaskConfig" not in TaskConfig.registry().names()
