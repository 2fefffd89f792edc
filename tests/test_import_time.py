"""``import dacapo`` stays light: no torch, no heavy optional extras."""

import subprocess
import sys

import pytest

HEAVY = ["torch", "gunpowder", "pymongo", "neuroglancer", "SimpleITK", "bioimageio", "mlflow"]


def _loaded_after(statement: str) -> set:
    code = (
        f"import sys; {statement}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(filter(None, out.stdout.strip().split(",")))


def test_import_dacapo_loads_no_heavy_package():
    assert _loaded_after("import dacapo") == set()


@pytest.mark.parametrize(
    "module",
    [
        "dacapo.options",
        "dacapo.store.converter",
        "dacapo.store.create_store",
        "dacapo.experiments.datasplits.datasets.arrays",
        "dacapo.experiments.datasplits",
    ],
)
def test_config_packages_load_no_optional_extras(module):
    loaded = _loaded_after(f"import {module}")
    assert loaded.isdisjoint({"pymongo", "neuroglancer", "SimpleITK", "bioimageio", "mlflow"}), loaded
