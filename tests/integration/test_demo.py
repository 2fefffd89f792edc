"""``dacapo demo`` end to end at tiny sizes: the printed tables, the outputs and
the plot; a second call reuses everything (nothing is retrained, applied or
scored again); ``--fresh`` starts over."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import zarr

from dacapo._demo.layout import DemoLayout
from tests._cli import invoke

pytestmark = pytest.mark.slow

TINY = ["--iterations", "2", "--validation-interval", "2", "--crop-size", "50",
        "--volume-size", "48", "--workers", "1"]


def _outputs(stdout: str) -> dict:
    """The output paths the report lists, by label."""
    paths = {}
    for line in stdout.splitlines():
        match = re.match(r"^  (demo_\w+ (?:prediction|output))\s+(\S+)$", line)
        if match:
            paths[match.group(1)] = Path(match.group(2))
    return paths


def _check_report(stdout: str, layout: DemoLayout) -> None:
    lines = stdout.splitlines()
    table = lines.index("Validation on crop0, each run at its best iteration and parameters "
                        "for its criterion:")
    assert lines[table + 1].split()[:4] == ["run", "task", "iteration", "criterion"]
    assert lines[table + 2].split()[:5] == [
        "demo_mito", "distance", "(mito)", "2", "mito__f1_score"]
    assert lines[table + 3].split()[:5] == [
        "demo_cells", "affinities", "(cells)", "2", "adapted_rand_error"]
    volume = lines.index("The 48³ volume, scored against its ground truth:")
    assert [line.split()[0] for line in lines[volume + 2 : volume + 4]] == [
        "demo_mito", "demo_cells"]
    assert re.search(r"segmentation of the 48³ volume: (\d\.\d{3}|nan)$", stdout, re.M)
    assert f"  plot of loss and scores        {layout.plot}" in lines


def _mtimes(base: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in sorted(base.rglob("*")) if p.is_file()
            and "checkpoints" in p.parts}


def test_the_demo_runs_reuses_and_starts_over(runs_base_dir, caplog):
    caplog.set_level(logging.INFO, logger="dacapo")
    layout = DemoLayout(runs_base_dir)
    first = invoke("demo", *TINY)
    assert first.exit_code == 0, first.stderr
    _check_report(first.stdout, layout)
    outputs = _outputs(first.stdout)
    assert len(outputs) == 4
    for label, path in outputs.items():
        array = zarr.open_array(str(path), mode="r")
        assert array.shape[-3:] == (32, 32, 32), label  # the volume less the context
    assert layout.plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    checkpoints = _mtimes(runs_base_dir)
    assert any("demo_cells" in p.parts for p in checkpoints)

    caplog.clear()
    second = invoke("demo", *TINY)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == first.stdout
    assert _mtimes(runs_base_dir) == checkpoints
    messages = [r.getMessage() for r in caplog.records]
    for name in ("demo_mito", "demo_cells"):
        assert f"run {name!r} is trained until iteration 2 already" in messages
        assert not any(m.startswith(f"validate: run {name!r}") for m in messages)
    assert sum(m.startswith("demo: reusing the output of run") for m in messages) == 2
    assert not any(m.startswith("predicting ") for m in messages)

    caplog.clear()
    third = invoke("demo", "--fresh", *TINY)
    assert third.exit_code == 0, third.stderr
    _check_report(third.stdout, layout)
    assert "demo: starting over: --fresh" in [r.getMessage() for r in caplog.records]
    renewed = _mtimes(runs_base_dir)
    assert renewed.keys() == checkpoints.keys()
    assert all(renewed[p] != checkpoints[p] for p in checkpoints)
