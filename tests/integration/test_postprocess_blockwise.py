"""Blockwise post-processing of a stored prediction, as apply runs it."""

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo._postprocess_blockwise import encoded_threshold, post_process_blockwise
from dacapo.compute_context import LocalTorch
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.experiments.tasks.post_processors import (
    ArgmaxPostProcessor,
    ArgmaxPostProcessorParameters,
    WatershedPostProcessor,
    WatershedPostProcessorParameters,
)
from dacapo.utils.affinities import seg_to_affgraph
from dacapo.utils.synthetic import generate_volume
from tests.integration.test_blockwise_segment import _interior, _same_up_to_relabelling
from tests.unit.blockwise._helpers import create_dataset, read

pytestmark = pytest.mark.slow

SHAPE = (48, 48, 48)
IN_PROCESS = LocalTorch(device="cpu")
OFFSETS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [4, 0, 0], [0, 4, 0], [0, 0, 4]]


def test_watershed_in_blocks_is_one_consistent_segmentation(tmp_path):
    labels = generate_volume(SHAPE, seed=5, cell_size=20).labels
    affinities = (seg_to_affgraph(labels, OFFSETS) * 255).astype(np.uint8)
    container = tmp_path / "data.zarr"
    prediction = create_dataset(container, "prediction", affinities, channels=len(OFFSETS))
    processor = WatershedPostProcessor(OFFSETS)
    parameters = WatershedPostProcessorParameters(id=0, bias=0.5, context=(4, 4, 4))
    output = type(prediction)(container, "segmentation")
    post_process_blockwise(processor, parameters, prediction, output,
                           compute_context=IN_PROCESS, block_voxels=(16, 16, 16))
    result = read(output)
    processor.set_prediction(ZarrArray.open_from_array_identifier(prediction))
    expected = processor.process(parameters, block_size=SHAPE)[Roi((0, 0, 0), SHAPE)]
    interior = _interior(expected)
    assert result.dtype == np.uint64 and len(np.unique(expected[interior])) >= 3
    assert _same_up_to_relabelling(result, expected, interior)


def test_argmax_in_blocks(tmp_path):
    scores = np.random.default_rng(0).random((3, 20, 20, 20)).astype(np.float32)
    container = tmp_path / "data.zarr"
    prediction = create_dataset(container, "prediction", scores, channels=3)
    output = type(prediction)(container, "classes")
    post_process_blockwise(ArgmaxPostProcessor(), ArgmaxPostProcessorParameters(id=0),
                           prediction, output, compute_context=IN_PROCESS,
                           block_voxels=(8, 8, 8))
    assert np.array_equal(read(output), np.argmax(scores, axis=0))


def test_thresholds_are_encoded_like_the_prediction(tmp_path):
    container = tmp_path / "data.zarr"
    identifier = create_dataset(container, "p", np.zeros((4, 4, 4), np.uint8))
    prediction = ZarrArray.open_from_array_identifier(identifier)
    assert encoded_threshold(0.2, prediction) == 0.2  # no recorded range: as given
    prediction.add_metadata({"value_range": [-1.0, 1.0]})
    assert encoded_threshold(0.0, prediction) == 127.5
    prediction.add_metadata({"value_range": [0.0, 1.0]})
    assert encoded_threshold(0.5, prediction) == 127.5


def _single_voxel_objects(directory, min_object_size):
    """Objects of one voxel in a blockwise watershed of noisy affinities."""
    labels = generate_volume(SHAPE, seed=5, cell_size=20).labels
    noise = np.random.default_rng(0).normal(0, 0.25, (len(OFFSETS),) + SHAPE)
    affinities = np.clip(seg_to_affgraph(labels, OFFSETS) + noise, 0, 1)
    container = directory / "data.zarr"
    prediction = create_dataset(container, "prediction", (affinities * 255).astype(np.uint8),
                                channels=len(OFFSETS))
    processor = WatershedPostProcessor(OFFSETS, min_object_size=min_object_size)
    parameters = WatershedPostProcessorParameters(id=0, bias=0.5, context=(4, 4, 4))
    output = type(prediction)(container, f"segmentation_{min_object_size}")
    post_process_blockwise(processor, parameters, prediction, output,
                           compute_context=IN_PROCESS, block_voxels=(24, 24, 24))
    _, sizes = np.unique(read(output), return_counts=True)
    return int((sizes == 1).sum())


def test_watershed_in_blocks_absorbs_fragments(tmp_path):
    dusty = _single_voxel_objects(tmp_path, 0)
    # (an object may still show one voxel inside a block where the next block
    # segmented the rest of it differently)
    assert dusty > 20 and _single_voxel_objects(tmp_path, 20) <= dusty // 20


@pytest.mark.parametrize("block, context, extent, expected", [
    ((64, 64, 64), (32, 32, 32), (256, 256, 256), (128, 128, 128)),  # 4 x the context
    ((64, 64, 64), (8, 8, 8), (256, 256, 256), (64, 64, 64)),  # large enough already
    ((64, 64, 64), (40, 40, 40), (256, 256, 256), (192, 192, 192)),  # whole chunks
    ((64, 64, 64), (32, 32, 32), (100, 300, 64), (128, 128, 64)),  # no more than the data
])
def test_watershed_blocks_are_large_against_their_context(block, context, extent, expected):
    from funlib.geometry import Coordinate

    from dacapo._postprocess_blockwise import _watershed_block

    roi = Roi((0, 0, 0), extent)
    assert _watershed_block(Coordinate(block), Coordinate(context), roi) == Coordinate(expected)
