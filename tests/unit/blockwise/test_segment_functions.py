"""Segment functions: how they are given and named, and the watershed one."""

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.blockwise import segment_blockwise, watershed_function
from dacapo.blockwise.segment_worker import function_reference, load_segment_function
from dacapo.errors import ConfigError, RoiError
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.experiments.tasks.post_processors import (
    WatershedPostProcessor,
    WatershedPostProcessorParameters,
)
from dacapo.utils.affinities import seg_to_affgraph

FUNCTION_FILE = '''
import numpy as np

default_parameters = {"threshold": 0.5, "scale": 2}

def segment_function(input_array, block, threshold, scale):
    return (input_array[block.read_roi] > threshold).astype(np.uint64) * scale
'''


def segment_function(input_array, block, threshold=0.5):
    """A module-level segment function (importable by worker commands)."""
    return (input_array[block.read_roi] > threshold).astype(np.uint64)


def test_a_segment_function_file_brings_its_default_parameters(tmp_path):
    path = tmp_path / "function.py"
    path.write_text(FUNCTION_FILE)
    function, defaults = load_segment_function(str(path))
    assert callable(function) and defaults == {"threshold": 0.5, "scale": 2}
    assert load_segment_function(segment_function) == (segment_function, {})
    reference = f"{__name__}:segment_function"
    assert function_reference(segment_function) == reference
    assert load_segment_function(reference)[0] is segment_function
    assert function_reference(str(path)) == str(path)


def test_a_module_defining_segment_function_is_a_segment_function():
    function, defaults = load_segment_function(watershed_function)
    assert function is watershed_function.segment_function
    assert defaults == watershed_function.default_parameters
    assert function_reference(watershed_function) == watershed_function.__file__
    assert load_segment_function(watershed_function.__file__)[0] is function


def test_a_function_worker_commands_cannot_import_is_refused():
    def local(input_array, block):
        return None

    for function in (local, lambda input_array, block: None):
        with pytest.raises(ConfigError, match="cannot be named in a worker command"):
            function_reference(function)


def test_a_file_without_segment_function_is_refused(tmp_path):
    path = tmp_path / "nothing.py"
    path.write_text("x = 1\n")
    with pytest.raises(ConfigError, match=r"nothing.py' defines no segment_function"):
        load_segment_function(str(path))


def test_the_watershed_function_segments_one_block_like_the_post_processor(dataset):
    labels = np.zeros((12, 12, 12), dtype=np.uint64)
    labels[1:6, 1:11, 1:11] = 1
    labels[7:11, 1:11, 1:11] = 2
    offsets = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (3, 0, 0), (0, 3, 0), (0, 0, 3)]
    affinities = seg_to_affgraph(labels, offsets).astype(np.float32)
    prediction = dataset("affs", affinities, channels=len(offsets))
    array = ZarrArray.open_from_array_identifier(prediction)
    block = type("Block", (), {"read_roi": array.roi})()
    result = watershed_function.segment_function(array, block, offsets, bias=0.5)
    processor = WatershedPostProcessor(offsets)
    processor.set_prediction(array)
    expected = processor.process(WatershedPostProcessorParameters(id=0, bias=0.5))
    pairs = np.unique(np.stack([result.ravel(), expected[expected.roi].ravel()]), axis=1)
    assert result.dtype == np.uint64 and pairs.shape[1] == 3  # 0 and the two objects
    assert len(np.unique(result)) == 3


def _mask_and_output(dataset):
    data = np.zeros((16, 16, 16), np.float32)
    data[2:10, 2:10, 2:10] = 1
    mask = dataset("mask", data)
    labels = dataset("labels", roi=Roi((0, 0, 0), (16, 16, 16)), dtype=np.uint64,
                     write_size=Coordinate(8, 8, 8))
    return mask, labels


WRITE = Roi((0, 0, 0), (8, 8, 8))
CONTEXT = Coordinate(2, 2, 2)
READ = WRITE.grow(CONTEXT, CONTEXT)
TOTAL = Roi((0, 0, 0), (16, 16, 16))


def test_segment_blockwise_with_a_callable_in_this_process(dataset, in_process):
    mask, labels = _mask_and_output(dataset)
    assert segment_blockwise(segment_function, CONTEXT, TOTAL, READ, WRITE, 1,
                             compute_context=in_process, input_array_identifier=mask,
                             output_array_identifier=labels, parameters={"threshold": 0.5})
    result = ZarrArray.open_from_array_identifier(labels)[TOTAL]
    assert len(np.unique(result)) == 2 and (result[2:10, 2:10, 2:10] > 0).all()


def test_without_tracking_nothing_is_left_beside_the_output(dataset, in_process, tmp_path):
    mask, labels = _mask_and_output(dataset)
    assert segment_blockwise(segment_function, CONTEXT, TOTAL, READ, WRITE, 1,
                             compute_context=in_process, tracking_dir=False,
                             input_array_identifier=mask, output_array_identifier=labels)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.zarr"]


def test_a_segment_function_returning_the_wrong_shape_is_named(dataset, in_process):
    mask, labels = _mask_and_output(dataset)
    with pytest.raises(Exception, match=r"(?s)segment_blockwise.*returned .*shape \(4, 4, 4\)"):
        segment_blockwise(lambda array, block: np.ones((4, 4, 4), np.uint64), CONTEXT, TOTAL,
                          READ, WRITE, 1, 0, compute_context=in_process,
                          input_array_identifier=mask, output_array_identifier=labels)


@pytest.mark.parametrize(
    "change, error, match",
    [
        (dict(read=WRITE), RoiError, "is not write_roi .* grown by context"),
        (dict(total=Roi((0, 0, 0), (24, 16, 16))), RoiError, "is not inside the input array"),
        (dict(kwargs={"output_array_identifier": None}), ConfigError,
         "missing output_array_identifier"),
        (dict(args=(1,)), ConfigError, "unexpected positional arguments"),
    ],
)
def test_bad_segment_blockwise_arguments_are_named(dataset, in_process, change, error, match):
    mask, labels = _mask_and_output(dataset)
    kwargs = {"input_array_identifier": mask, "output_array_identifier": labels,
              **change.get("kwargs", {})}
    with pytest.raises(error, match=match):
        segment_blockwise(segment_function, CONTEXT, change.get("total", TOTAL),
                          change.get("read", READ), WRITE, 1, 2, None, None, False,
                          *change.get("args", ()), compute_context=in_process, **kwargs)
