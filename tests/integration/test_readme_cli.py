"""The README's command-line script runs as written (with fewer iterations)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import zarr

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_script() -> str:
    """The bash block of the README's "From the command line" section."""
    section = README.read_text().split("## From the command line", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match, "the README lost its command-line script"
    return match.group(1)


def test_the_readme_script_trains_validates_predicts_and_applies(tmp_path):
    script = readme_script()
    assert "ITERATIONS=100" in script
    script = script.replace("ITERATIONS=100", "ITERATIONS=2", 1)
    bin_dir = str(Path(sys.executable).parent)  # `python` and `dacapo` of this venv
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "HOME": str(tmp_path)}
    env.pop("DACAPO_OPTIONS_FILE", None)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = tmp_path / "dacapo_runs" / "cli_demo"
    assert (run_dir / "checkpoints" / "iterations" / "2").exists()
    prediction = zarr.open(str(tmp_path / "predictions.zarr" / "prediction_cli_demo_2"), "r")
    assert prediction.dtype == np.uint8 and prediction.shape[-3:] == (96 - 2 * 8,) * 3
    outputs = [name for name in zarr.open_group(str(tmp_path / "segmentation.zarr"), "r")
               if name.startswith("output_cli_demo_2_threshold")]
    assert len(outputs) == 1
    assert "output written: segmentation.zarr" in result.stdout + result.stderr
