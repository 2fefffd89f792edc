"""Contract every post-processor meets: a parameter grid and outputs over the
prediction's ROI. Each registered parameter class needs a case below."""

import re

import attr
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    ArgmaxPostProcessor,
    DummyPostProcessor,
    PostProcessor,
    PostProcessorParameters,
    ThresholdPostProcessor,
    WatershedPostProcessor,
)
from dacapo.store.array_identifiers import LocalArrayIdentifier
from dacapo.store.converter import converter

ROI = Roi((4, 0, 2), (6, 8, 4))
VOXEL_SIZE = (2, 2, 1)  # -> 3 x 4 x 4 voxels


def _prediction(channels: int) -> NumpyArray:
    data = np.random.default_rng(0).uniform(0, 1, (channels, 3, 4, 4)).astype(np.float32)
    return NumpyArray.from_np_array(data, ROI, VOXEL_SIZE, ["c", "z", "y", "x"])


# parameter class name -> (post-processor factory, channels of its prediction)
CASES = {
    "ArgmaxPostProcessorParameters": (ArgmaxPostProcessor, 3),
    "DummyPostProcessorParameters": (lambda: DummyPostProcessor(detection_threshold=0.5), 1),
    "ThresholdPostProcessorParameters": (ThresholdPostProcessor, 2),
    "WatershedPostProcessorParameters": (
        lambda: WatershedPostProcessor([(1, 0, 0), (0, 1, 0), (0, 0, 1)]),
        3,
    ),
}


@pytest.fixture(params=sorted(CASES))
def case(request):
    factory, channels = CASES[request.param]
    post_processor = factory()
    return post_processor, _prediction(channels)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_registered_parameter_class_has_a_case():
    registered = {cls.__name__ for cls in PostProcessorParameters.registry().concrete()}
    assert registered == set(CASES)


def test_every_post_processor_has_a_case():
    covered = {type(factory()) for factory, _ in CASES.values()}
    assert {cls for cls in _subclasses(PostProcessor) if not cls.__abstractmethods__} <= covered


def _check_grid(post_processor):
    grid = list(post_processor.enumerate_parameters())
    assert grid, "empty parameter grid"
    assert all(type(p) is post_processor.parameters_type for p in grid)
    assert [p.id for p in grid] == list(range(len(grid)))
    names = [str(p) for p in grid]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[\w.\-]+", name) for name in names)
    return grid


def test_grid_before_and_after_set_prediction(case):
    post_processor, prediction = case
    _check_grid(post_processor)
    post_processor.set_prediction(prediction)
    _check_grid(post_processor)


def test_parameters_are_frozen_and_round_trip_through_the_converter(case):
    post_processor, _ = case
    parameters = next(iter(post_processor.enumerate_parameters()))
    with pytest.raises(attr.exceptions.FrozenInstanceError):
        parameters.id = 7
    stored = converter.unstructure(parameters)
    assert converter.structure(stored, PostProcessorParameters) == parameters
    assert hash(parameters) == hash(converter.structure(stored, PostProcessorParameters))


def test_process_covers_the_prediction_roi(case):
    post_processor, prediction = case
    post_processor.set_prediction(prediction)
    grid = list(post_processor.enumerate_parameters())
    for parameters in (grid[0], grid[-1]):
        output = post_processor.process(parameters, block_size=(2, 2, 2))
        assert isinstance(output, Array)
        assert output.roi == prediction.roi and output.voxel_size == prediction.voxel_size
        assert [a for a in output.axes if a != "c"] == ["z", "y", "x"]
        assert output[output.roi].shape[-3:] == (3, 4, 4)


def test_process_writes_zarr(case, tmp_path):
    post_processor, prediction = case
    post_processor.set_prediction(prediction)
    parameters = list(post_processor.enumerate_parameters())[-1]
    in_memory = post_processor.process(parameters)
    stored = post_processor.process(
        parameters, LocalArrayIdentifier(tmp_path / "out.zarr", f"output/{parameters}")
    )
    assert stored.roi == prediction.roi
    np.testing.assert_array_equal(stored[stored.roi], in_memory[in_memory.roi])
