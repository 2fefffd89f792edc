"""Workers given as files, modules, objects with the worker attributes, or callables."""

import sys
import types
from pathlib import Path

import pytest

import dacapo.blockwise.threshold_worker as threshold_worker
from dacapo.blockwise._worker_spec import resolve_worker
from dacapo.errors import ConfigError

WORKER_FILE = '''
read_write_conflict = False
fit = "overhang"

def spawn_worker(scale, compute_context=None):
    def process(block):
        return scale
    return process
'''


def test_a_dacapo_worker_file_is_imported_under_its_package_name():
    spec = resolve_worker(threshold_worker.__file__, (), {})
    assert spec.name == "threshold_worker"
    assert spec.identity == f"file {Path(threshold_worker.__file__).resolve()}"
    assert resolve_worker(threshold_worker, (), {}).identity == spec.identity
    assert (spec.read_write_conflict, spec.fit) == (False, "shrink")


def test_a_standalone_worker_file_is_loaded_and_spawned_with_the_arguments(tmp_path):
    path = tmp_path / "scaler.py"
    path.write_text(WORKER_FILE)
    spec = resolve_worker(path, (3,), {})
    assert spec.name == "scaler" and spec.fit == "overhang" and not spec.read_write_conflict
    assert spec.check_function is None
    assert spec.spawn(None)(block=None) == 3
    assert spec.identity == f"file {path.resolve()}"
    assert any(getattr(m, "__file__", None) == str(path) for m in list(sys.modules.values()))


def test_any_object_with_the_worker_attributes_is_a_worker():
    def check(block):
        return True

    worker = types.SimpleNamespace(
        read_write_conflict=True, fit="valid", check_function=check,
        spawn_worker=lambda factor, compute_context=None: (factor, compute_context),
    )
    spec = resolve_worker(worker, (), {"factor": 2})
    assert spec.check_function is check and spec.read_write_conflict
    assert spec.spawn("context") == (2, "context")


def test_a_callable_takes_its_options_from_the_keyword_arguments_and_binds_the_rest():
    def process(block, offset, scale=1):
        return (block + offset) * scale

    spec = resolve_worker(process, (1,), {"scale": 10, "fit": "valid"})
    assert spec.name == "process" and spec.fit == "valid"
    assert spec.read_write_conflict is True  # the safe default
    assert spec.spawn(None)(2) == 30


def test_a_callable_without_options_gets_safe_defaults():
    spec = resolve_worker(lambda block: None, (), {})
    assert (spec.read_write_conflict, spec.fit, spec.check_function) == (True, "shrink", None)


@pytest.mark.parametrize(
    "worker, args, kwargs, match",
    [
        (types.SimpleNamespace(fit="valid", spawn_worker=print), (), {},
         "lacks read_write_conflict"),
        (types.SimpleNamespace(read_write_conflict=False, fit="snug", spawn_worker=print), (),
         {}, "fit 'snug'; expected one of"),
        (lambda block: None, (), {"fit": "all"}, "fit 'all'"),
        (lambda: None, (1,), {}, "takes no block argument"),
        (42, (), {}, "neither a worker file"),
        ("/no/such/worker.py", (), {}, "worker file '/no/such/worker.py' does not exist"),
    ],
)
def test_bad_workers_are_named(worker, args, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        resolve_worker(worker, args, kwargs)
