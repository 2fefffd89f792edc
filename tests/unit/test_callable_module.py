"""``dacapo.train`` is the function and, once imported, a callable module."""

import subprocess
import sys


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_package_attribute_is_the_function():
    assert _run("import dacapo; print(dacapo.train.__name__, callable(dacapo.train))") == (
        "train True"
    )
    assert _run("from dacapo import train; print(type(train).__name__)") == "function"


def test_submodule_import_first_still_calls_the_function():
    code = (
        "import dacapo.train, dacapo\n"
        "import dacapo.train as module\n"
        "calls = []\n"
        "module.train = lambda *a, **k: calls.append((a, k))\n"
        "dacapo.train('my_run', do_validate=False)\n"
        "print(calls)\n"
    )
    assert _run(code) == "[(('my_run',), {'do_validate': False})]"
