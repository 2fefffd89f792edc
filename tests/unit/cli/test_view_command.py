"""``dacapo view``: prints the layers and the URL of a viewer on a run, and
serves until Ctrl-C (``--no-wait``: returns at once)."""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest

from dacapo.store.create_store import create_config_store
from tests._cli import error_line, invoke
from tests._validation_runs import distance_run_config, synthetic_container
from tests.conftest import write_zarr


@pytest.fixture
def stored(runs_base_dir, tmp_path):
    """The untrained run 'seen' on a 2D synthetic container (voxel size 4)."""
    create_config_store().store_run_config(
        distance_run_config(synthetic_container(tmp_path), name="seen")
    )


def test_no_wait_prints_the_layers_and_the_url(stored):
    result = invoke("view", "-r", "seen", "--no-wait")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "run 'seen': 6 layers (* shown at first)"
    assert lines[1].split() == ["train/crop0/raw", "image", "48x48", "voxels", "of", "4x4", "nm",
                                "at", "(0,", "0)", "nm"]
    assert lines[5].split()[:3] == ["*", "validate/crop0/gt", "segmentation"]
    assert lines[-1].startswith("neuroglancer viewer: http://127.0.0.1:")
    assert "serving" not in result.stdout


def test_it_serves_until_ctrl_c(stored, monkeypatch):
    command = importlib.import_module("dacapo.cli.view")  # the module, not the command

    def interrupted(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", interrupted)
    result = invoke("view", "-r", "seen")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["serving until Ctrl-C", "viewer stopped"]


def test_given_arrays_are_added_with_their_kinds(stored, tmp_path):
    container = tmp_path / "volume.zarr"
    write_zarr(container, "raw", np.zeros((8, 8), np.uint8), voxel_size=(8, 8), offset=(8, 0))
    write_zarr(container, "output_seen_10", np.zeros((8, 8), np.uint8), voxel_size=(8, 8))
    result = invoke("view", "-r", "seen", "--no-wait", "-p", f"{container}/output_seen_10",
                    "--image", f"{container}/raw", "--labels", f"{container}/raw")
    assert result.exit_code == 0, result.stderr
    given = [line.split()[:3] for line in result.stdout.splitlines()[7:10]]
    assert given == [["*", "output_seen_10", "segmentation"], ["*", "raw", "image"],
                     ["*", "raw", "(2)"]]


@pytest.mark.parametrize("args, message", [
    (["-i", "3"], r"run 'seen' has no snapshot or validation output of iteration 3; stored "
                  r"iterations: none"),
    (["-i", "-1"], r"Invalid value for '-i' / '--iteration'"),
    (["-p", "prediction"], r"Invalid value for '-p' / '--prediction': array 'prediction' is "
                           r"not CONTAINER/DATASET"),
    (["--labels", "missing.zarr/seg"], r"container missing\.zarr does not exist"),
    (["--port", "70000"], r"Invalid value for '--port'"),
])
def test_bad_input_ends_with_exit_code_2(stored, args, message):
    result = invoke("view", "-r", "seen", "--no-wait", *args)
    assert result.exit_code == 2
    assert re.search(message, error_line(result)), error_line(result)


def test_without_neuroglancer_it_names_the_viewer_extra(stored, monkeypatch):
    monkeypatch.setitem(sys.modules, "neuroglancer", None)
    result = invoke("view", "-r", "seen", "--no-wait")
    assert result.exit_code == 1
    assert "install it with pip install 'dacapo-ml[viewer]'" in error_line(result)
