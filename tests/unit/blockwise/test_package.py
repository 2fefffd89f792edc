"""``dacapo.blockwise`` and its workers' command lines load daisy only when used."""

import subprocess
import sys


def _loads(statement: str) -> set:
    code = (f"import sys; {statement}; "
            "print(' '.join(m for m in ('daisy', 'torch', 'zarr') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return set(result.stdout.split())


def test_importing_the_package_loads_neither_daisy_nor_torch():
    assert _loads("import dacapo.blockwise") == set()


def test_a_workers_command_line_loads_neither_daisy_nor_torch():
    assert _loads("import dacapo.blockwise.threshold_worker") == set()
    assert not {"daisy", "torch"} & _loads("import dacapo.blockwise.segment_worker")
