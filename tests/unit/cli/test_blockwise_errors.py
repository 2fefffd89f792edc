"""Bad input to run-blockwise and segment-blockwise: one line naming the
option (or the extra parameter), the value and what was expected; exit 2."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dacapo.blockwise import threshold_worker, watershed_function
from tests._cli import error_line, invoke
from tests.unit.blockwise._helpers import create_dataset


@pytest.fixture
def volume(tmp_path):
    data = np.zeros((8, 8, 8), np.float32)
    create_dataset(tmp_path / "data.zarr", "input", data)
    return tmp_path / "data.zarr"


def _run(volume, *options, worker=threshold_worker.__file__):
    return ["run-blockwise", "-ic", volume, "-id", "input", "-oc", volume, "-od", "out", "-w",
            worker, "-rr", "[4,4,4]", "-wr", "[4,4,4]", *options]


def _segment(volume, *options):
    return ["segment-blockwise", "-ic", volume, "-id", "input", "-oc", volume, "-od", "seg",
            "-sf", watershed_function.__file__, "-wr", "[4,4,4]", *options]


@pytest.mark.parametrize("options, pattern", [
    (["--threshhold", "0.5"], r"^Error: no such option: --threshhold \(neither an option of "
     r"dacapo run-blockwise nor a parameter of worker dacapo.blockwise.threshold_worker, whose "
     r"parameters are --threshold\); did you mean --threshold\? "),
    (["--num-worker", "2"], r"no such option: --num-worker .*did you mean --num-workers\?"),
    (["0.5"], r"unexpected argument '0.5'; give a worker's parameters as --name value pairs"),
    (["--threshold"], r"parameter --threshold has no value; give it as --threshold VALUE"),
    (["-tr", "[0:8,0:8]"], r"'-tr' / '--total-roi': \[0:8,0:8\] has 2 axes but the input array "
     r"has 3 \(axes \['z', 'y', 'x'\]\); give one value per axis"),
    (["-tr", "[0-8,0:8,0:8]"], r"'-tr' / '--total-roi': .* is not a ROI; expected "
     r"'\[z0:z1,y0:y1,x0:x1\]' in voxels"),
    (["-rr", "[4,4,x]"], r"'-rr' / '--read-roi-size': '\[4,4,x\]' is not a size; expected "
     r"'\[z,y,x\]' in voxels"),
    (["-rr", "[5,4,4]"], r"'-rr' / '--read-roi-size': \[5, 4, 4\] minus the write size "
     r"\[4, 4, 4\] must be even and >= 0 on every axis"),
    (["-wr", "[0,4,4]"], r"'-wr' / '--write-roi-size': '\[0,4,4\]' is not a size; .*>= 1"),
    (["-dt", "uint9"], r"'-dt' / '--output-dtype': 'uint9' is not a numpy dtype"),
    (["-id", "nope"], r"'-id' / '--input-dataset': no dataset 'nope' in container"),
    (["-od", "/input"], r"'-od' / '--output-dataset': '/input' in '.*data.zarr' is the input "
     r"dataset; the output would replace it: give another output dataset"),
])
def test_bad_run_blockwise_input(volume, options, pattern):
    result = invoke(*_run(volume, *options))
    assert result.exit_code == 2
    assert re.search(pattern, error_line(result))


@pytest.mark.parametrize("worker, pattern", [
    ("missing.py", r"'-w' / '--worker-file': worker file 'missing.py' does not exist; give the "
     r"path of a Python file defining read_write_conflict, fit and spawn_worker"),
    ("no.such.module", r"'-w' / '--worker-file': 'no.such.module' is neither a file nor an "
     r"importable module"),
])
def test_a_worker_that_cannot_be_found(volume, worker, pattern):
    result = invoke(*_run(volume, worker=worker))
    assert result.exit_code == 2
    assert re.search(pattern, error_line(result))


@pytest.mark.parametrize("options, pattern", [
    (["-rr", "[6,6,6]", "-c", "[2,2,2]"], r"'-c' / '--context': \[2, 2, 2\]: the read size "
     r"\[6, 6, 6\] must be the write size \[4, 4, 4\] plus twice the context on every axis"),
    (["-rr", "[6,6,6]", "--biass", "1"], r"no such option: --biass \(neither an option of "
     r"dacapo segment-blockwise nor a parameter of segment function .*watershed_function.py, "
     r"whose parameters are --offsets, --bias, --long-range-bias, --min-object-size\); did you mean --bias\?"),
    (["-rr", "[6,6,6]", "-sf", "missing.py"], r"'-sf' / '--segment-function-file': file "
     r"'missing.py' does not exist"),
    (["-rr", "[6,6,6]", "-sf", "no_module:function"], r"'-sf' / '--segment-function-file': "
     r"'no_module:function': No module named 'no_module'"),
    ([], r"Missing option '-rr' / '--read-roi-size'"),
])
def test_bad_segment_blockwise_input(volume, options, pattern):
    result = invoke(*_segment(volume, *options))
    assert result.exit_code == 2
    assert re.search(pattern, error_line(result))


def test_a_total_roi_outside_the_input_is_refused_by_segment_blockwise(volume):
    result = invoke(*_segment(volume, "-rr", "[6,6,6]", "-tr", "[0:4,0:4,0:12]"))
    assert result.exit_code == 2
    assert re.search(r"^Error: segment_blockwise: total_roi \[0:4, 0:4, 0:12\] .* is not "
                     r"inside the input array", error_line(result))
