"""run-blockwise and segment-blockwise: the voxel options become world-unit
ROIs, the output is created with chunks of one write block, and every option
(and every extra --name value) reaches run_blockwise / segment_blockwise."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.blockwise import threshold_worker, watershed_function
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from tests._cli import invoke
from tests.unit.blockwise._helpers import create_dataset


@pytest.fixture
def volume(tmp_path):
    """``data.zarr/input``: 24³ float voxels of size 2 with offset 4."""
    data = np.random.default_rng(1).random((24, 24, 24)).astype(np.float32)
    create_dataset(tmp_path / "data.zarr", "input", data, voxel_size=(2, 2, 2),
                   roi=Roi((4, 4, 4), (48, 48, 48)))
    return tmp_path / "data.zarr"


WORKER = """
read_write_conflict = False
fit = "shrink"


def spawn_worker(input_array_identifier, output_array_identifier, compute_context=None,
                 **parameters):
    raise AssertionError("not called: run_blockwise is replaced")
"""


def _output(container, dataset):
    return ZarrArray.open_from_array_identifier(LocalArrayIdentifier(container, dataset))


def test_run_blockwise_passes_rois_in_world_units_and_worker_parameters(volume, record,
                                                                      tmp_path):
    calls = record("dacapo.blockwise.run_blockwise", True)
    (tmp_path / "any_worker.py").write_text(WORKER)
    result = invoke("run-blockwise", "-ic", volume, "-id", "input", "-oc", volume, "-od", "out",
                    "-w", tmp_path / "any_worker.py", "-tr", "[2:14,2:26,4:16]", "-rr",
                    "[8,8,8]", "-wr", "[4,4,4]", "-nw", "3", "-mr", "1", "-t", "9", "-co", "2",
                    "-dt", "float32", "--threshold", "1", "--label-name", "cells", "--scale=0.5")
    assert result.exit_code == 0, result.stderr
    (args, kwargs), = calls
    total = Roi((4, 4, 8), (24, 48, 24))
    assert args[0].__file__ == str(tmp_path / "any_worker.py")
    assert args[1:] == (total, Roi((0, 0, 0), (16, 16, 16)), Roi((4, 4, 4), (8, 8, 8)))
    assert kwargs == dict(
        num_workers=3, max_retries=1, timeout=9.0,
        input_array_identifier=LocalArrayIdentifier(volume, "input"),
        output_array_identifier=LocalArrayIdentifier(volume, "out"),
        threshold=1, label_name="cells", scale=0.5,
    )
    output = _output(volume, "out")
    assert output.roi == total and output.dtype == np.float32 and output.axes[0] == "c"
    assert output.data.chunks == (2, 4, 4, 4)  # one write block
    assert result.stdout.strip() == f"written: {volume} dataset 'out'"


def test_run_blockwise_defaults(volume, record):
    calls = record("dacapo.blockwise.run_blockwise", True)
    result = invoke("run-blockwise", "--input_container", volume, "--input_dataset", "input",
                    "--output_container", volume, "--output_dataset", "out", "--worker_file",
                    "dacapo.blockwise.threshold_worker", "--read_roi_size", "[4,4,4]",
                    "--write_roi_size", "[4,4,4]")
    assert result.exit_code == 0, result.stderr
    (args, kwargs), = calls
    assert args[0] is threshold_worker and args[1] == Roi((4, 4, 4), (48, 48, 48))
    assert (kwargs["num_workers"], kwargs["max_retries"], kwargs["timeout"]) == (16, 2, None)
    output = _output(volume, "out")
    assert output.dtype == np.uint8 and output.axes == ["z", "y", "x"]


def test_run_blockwise_overwrite_replaces_and_no_overwrite_keeps(volume, record):
    record("dacapo.blockwise.run_blockwise", True)
    options = ["-ic", volume, "-id", "input", "-oc", volume, "-od", "out", "-w",
               threshold_worker.__file__, "-rr", "[4,4,4]", "-wr", "[4,4,4]"]
    assert invoke("run-blockwise", *options).exit_code == 0
    _output(volume, "out")[Roi((4, 4, 4), (8, 8, 8))] = np.ones((4, 4, 4), np.uint8)
    assert invoke("run-blockwise", *options, "--no-overwrite").exit_code == 0
    assert _output(volume, "out")[Roi((4, 4, 4), (8, 8, 8))].all()
    assert invoke("run-blockwise", *options, "-ow").exit_code == 0
    assert not _output(volume, "out")[Roi((4, 4, 4), (8, 8, 8))].any()


@pytest.mark.parametrize("context, expected", [([], (2, 2, 2)), (["-c", "[2,2,2]"], (2, 2, 2))])
def test_segment_blockwise_passes_context_and_parameters(volume, record, context, expected):
    calls = record("dacapo.blockwise.segment_blockwise", True)
    result = invoke("segment-blockwise", "-ic", volume, "-id", "input", "-oc", volume, "-od",
                    "seg", "-sf", watershed_function.__file__, "-rr", "[8,8,8]", "-wr",
                    "[4,4,4]", *context, "-nw", "2", "-mr", "0", "-t", "3", "--keep-tmpdir",
                    "--bias", "0.25", "--long-range-bias", "0")
    assert result.exit_code == 0, result.stderr
    (args, kwargs), = calls
    total = Roi((4, 4, 4), (48, 48, 48))
    assert args == (watershed_function.__file__, Coordinate(expected) * 2, total,
                    Roi((0, 0, 0), (16, 16, 16)), Roi((4, 4, 4), (8, 8, 8)))
    assert kwargs == dict(
        num_workers=2, max_retries=0, timeout=3.0, keep_tmpdir=True,
        input_array_identifier=LocalArrayIdentifier(volume, "input"),
        output_array_identifier=LocalArrayIdentifier(volume, "seg"),
        parameters={"bias": 0.25, "long_range_bias": 0},
    )
    output = _output(volume, "seg")
    assert output.dtype == np.uint64 and output.roi == total
    assert output.data.chunks == (4, 4, 4)
