"""segment_blockwise gives one consistent segmentation: in blocks of 16³ it
equals the one-block result up to relabelling (connected components exactly;
mutex watershed on every object away from the volume border)."""

import cc3d
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from scipy import ndimage

from dacapo.blockwise import segment_blockwise, watershed_function
from dacapo.compute_context import LocalTorch
from dacapo.errors import BlockwiseError
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.utils.affinities import seg_to_affgraph
from dacapo.utils.synthetic import generate_volume
from tests.unit.blockwise._helpers import create_dataset, read

pytestmark = pytest.mark.slow

SHAPE = (48, 48, 48)
TOTAL = Roi((0, 0, 0), SHAPE)
WRITE = Roi((0, 0, 0), (16, 16, 16))
IN_PROCESS = LocalTorch(device="cpu")
PROCESSES = LocalTorch(distribute_workers=True, device="cpu")

CC_FUNCTION = '''
import cc3d
import numpy as np


def segment_function(input_array, block, threshold=0.5):
    mask = input_array[block.read_roi] > threshold
    return cc3d.connected_components(mask, connectivity=6).astype(np.uint64)
'''


def _blobs():
    """A few big blobs of smooth random shape, crossing many blocks."""
    noise = ndimage.gaussian_filter(np.random.default_rng(3).random(SHAPE), 4)
    return (noise > np.percentile(noise, 65)).astype(np.float32)


def _same_up_to_relabelling(result, expected, where=None):
    where = np.ones(expected.shape, bool) if where is None else where
    a, b = result[where], expected[where]
    pairs = np.unique(np.stack([a, b]), axis=1)
    return ((a == 0) == (b == 0)).all() and pairs.shape[1] == len(np.unique(a)) == len(
        np.unique(b)
    )


def _run(function, container, data, context, compute_context, num_workers, **parameters):
    source = create_dataset(container, "input", data, channels=data.shape[0]
                            if data.ndim == 4 else None)
    output = create_dataset(container, "segmentation", roi=TOTAL, dtype=np.uint64,
                            write_size=WRITE.shape)
    context = Coordinate(context)
    assert segment_blockwise(function, context, TOTAL, WRITE.grow(context, context), WRITE,
                             num_workers, compute_context=compute_context,
                             input_array_identifier=source, output_array_identifier=output,
                             parameters=parameters)
    return read(output)


@pytest.mark.parametrize("compute_context, num_workers", [(IN_PROCESS, 1), (PROCESSES, 2)],
                         ids=["in-process", "2-worker-processes"])
def test_connected_components_in_blocks_equal_the_one_block_result(
    tmp_path, compute_context, num_workers
):
    function = tmp_path / "components.py"
    function.write_text(CC_FUNCTION)
    mask = _blobs()
    expected = cc3d.connected_components(mask > 0.5, connectivity=6)
    assert len(np.unique(expected)) > 3  # a few objects, most crossing blocks
    result = _run(str(function), tmp_path / "data.zarr", mask, (1, 1, 1), compute_context,
                  num_workers, threshold=0.5)
    assert result.dtype == np.uint64
    assert _same_up_to_relabelling(result, expected)


def _interior(labels):
    """Voxels of the objects that do not touch the volume border."""
    border = np.zeros(labels.shape, bool)
    border[[0, -1]] = border[:, [0, -1]] = border[:, :, [0, -1]] = True
    touching = np.unique(labels[border])
    return (labels != 0) & ~np.isin(labels, touching)


def test_mutex_watershed_in_blocks_equals_the_one_block_result(tmp_path):
    labels = generate_volume(SHAPE, seed=5, cell_size=20).labels
    offsets = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [4, 0, 0], [0, 4, 0], [0, 0, 4]]
    affinities = seg_to_affgraph(labels, offsets).astype(np.float32)
    container = tmp_path / "data.zarr"
    result = _run(watershed_function.__file__, container, affinities, (4, 4, 4), IN_PROCESS, 1,
                  offsets=offsets, bias=0.5)
    whole = ZarrArray.open_from_array_identifier(
        create_dataset(container, "affinities", affinities, channels=len(offsets)))
    expected = watershed_function.segment_function(
        whole, type("Block", (), {"read_roi": TOTAL})(), offsets, bias=0.5)
    interior = _interior(expected)
    assert len(np.unique(expected[interior])) >= 3  # objects inside, crossing blocks
    assert _same_up_to_relabelling(result, expected, interior)
    # and no object of the result reaches out of an interior object
    inside_ids = np.unique(result[interior])
    assert not np.isin(result[~interior], inside_ids).any()


def test_a_failed_block_keeps_the_faces_and_a_rerun_resumes(tmp_path, caplog):
    failing = {True}

    def flaky(input_array, block):
        if failing and block.write_roi.begin == Coordinate(16, 16, 16):
            raise RuntimeError("disk hiccup")
        return cc3d.connected_components(input_array[block.read_roi] > 0.5,
                                          connectivity=6).astype(np.uint64)

    mask = _blobs()
    container = tmp_path / "data.zarr"
    source = create_dataset(container, "input", mask)
    output = create_dataset(container, "segmentation", roi=TOTAL, dtype=np.uint64,
                            write_size=WRITE.shape)
    context = Coordinate(1, 1, 1)

    def run():
        return segment_blockwise(flaky, context, TOTAL, WRITE.grow(context, context), WRITE,
                                 1, 0, compute_context=IN_PROCESS,
                                 input_array_identifier=source, output_array_identifier=output)

    with pytest.raises(BlockwiseError, match=r"(?s)^segment_blockwise \(faces and tables in "
                       r".*run it again to resume\).*1 of 27 blocks failed.*disk hiccup"):
        run()
    failing.clear()
    caplog.set_level("INFO", logger="dacapo.blockwise")
    assert run()
    assert "27 blocks (1 processed, 26 skipped, 0 failed)" in caplog.text
    expected = cc3d.connected_components(mask > 0.5, connectivity=6)
    assert _same_up_to_relabelling(read(output), expected)
    records = tmp_path / "data.zarr.blocks" / "segmentation"
    assert not list(records.glob("*.tmp"))  # faces and table removed after success
