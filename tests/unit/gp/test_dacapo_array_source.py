"""DaCapoArraySource: a DaCapo Array as a gunpowder provider."""

import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.gp import DaCapoArraySource

RAW = gp.ArrayKey("RAW")


class RecordingArray(NumpyArray):
    """A NumpyArray that remembers the ROIs read from it."""

    def _read(self, roi):
        self.reads.append(roi)
        return super()._read(roi)


def _recording(data, voxel_size, offset=(0, 0)):
    roi = Roi(offset, Coordinate(data.shape[-2:]) * Coordinate(voxel_size))
    axes = ["c"] * (data.ndim - 2) + ["y", "x"]
    array = RecordingArray.from_np_array(data, roi, voxel_size, axes)
    array.reads = []
    return array


def test_spec_is_the_arrays():
    array = _recording(np.zeros((3, 5), dtype=np.uint16), (4, 2), offset=(8, 2))
    pipeline = DaCapoArraySource(array, RAW)
    with gp.build(pipeline):
        spec = pipeline.spec[RAW]
    assert spec.roi == Roi((8, 2), (12, 10))
    assert spec.voxel_size == Coordinate(4, 2)
    assert spec.dtype == np.uint16
    assert spec.interpolatable is False  # integer arrays are labels by default


def test_float_arrays_are_interpolatable_unless_told_otherwise():
    array = _recording(np.zeros((3, 5), dtype=np.float32), (1, 1))
    assert DaCapoArraySource(array, RAW).array_spec.interpolatable is True
    assert DaCapoArraySource(array, RAW, interpolatable=False).array_spec.interpolatable is False


def test_reads_only_the_requested_roi(fetch):
    data = np.arange(20, dtype=np.float32).reshape(4, 5)
    array = _recording(data, (2, 1))
    batch = fetch(DaCapoArraySource(array, RAW), {RAW: Roi((2, 1), (4, 2))})
    np.testing.assert_array_equal(batch[RAW].data, [[6, 7], [11, 12]])
    assert batch[RAW].spec.roi == Roi((2, 1), (4, 2))
    assert array.reads == [Roi((2, 1), (4, 2))]


def test_channel_axis_is_kept(fetch):
    data = np.stack([np.zeros((4, 4)), np.ones((4, 4))]).astype(np.float32)
    array = _recording(data, (1, 1))
    batch = fetch(DaCapoArraySource(array, RAW), {RAW: Roi((1, 1), (2, 3))})
    assert batch[RAW].data.shape == (2, 2, 3)
    np.testing.assert_array_equal(batch[RAW].data[1], np.ones((2, 3)))


def test_batches_are_copies(fetch):
    data = np.zeros((4, 4), dtype=np.float32)
    array = _recording(data, (1, 1))
    batch = fetch(DaCapoArraySource(array, RAW), {RAW: Roi((0, 0), (4, 4))})
    batch[RAW].data[:] = 7
    assert data.max() == 0


@pytest.fixture
def holding():
    """Gives this process (as a data worker) a budget for held arrays."""
    from dacapo.gp import dacapo_array_source

    yield dacapo_array_source.hold_arrays
    dacapo_array_source._holding.update(pid=-1, budget=0, used=0)


def test_a_data_worker_reads_a_small_array_once_and_slices_it(fetch, holding):
    data = np.arange(40, dtype=np.float32).reshape(2, 4, 5)
    array = _recording(data, (2, 1))
    holding(10_000)
    source = DaCapoArraySource(array, RAW)
    first = fetch(source, {RAW: Roi((2, 1), (4, 2))})[RAW]
    second = fetch(source, {RAW: Roi((0, 3), (8, 2))})[RAW]
    assert array.reads == [array.roi]  # read whole, once
    np.testing.assert_array_equal(first.data, data[:, 1:3, 1:3])
    np.testing.assert_array_equal(second.data, data[:, 0:4, 3:5])
    first.data[:] = -1  # batches are still copies
    np.testing.assert_array_equal(fetch(source, {RAW: Roi((2, 1), (4, 2))})[RAW].data,
                                  data[:, 1:3, 1:3])


def test_arrays_beyond_the_budget_are_read_as_requested(fetch, holding):
    small = _recording(np.zeros((4, 4), dtype=np.uint8), (1, 1))  # 16 bytes
    large = _recording(np.ones((4, 4), dtype=np.uint64), (1, 1))  # 128 bytes
    holding(100)
    request = {RAW: Roi((1, 1), (2, 2))}
    for _ in range(2):
        fetch(DaCapoArraySource(small, RAW), request)
        fetch(DaCapoArraySource(large, RAW), request)
    assert small.reads == [small.roi, small.roi]  # each new source holds its own copy
    assert large.reads == [Roi((1, 1), (2, 2))] * 2


def test_without_a_budget_nothing_is_held(fetch):
    array = _recording(np.zeros((4, 4), dtype=np.float32), (1, 1))
    source = DaCapoArraySource(array, RAW)
    for _ in range(2):
        fetch(source, {RAW: Roi((0, 0), (2, 2))})
    assert array.reads == [Roi((0, 0), (2, 2))] * 2


def _child_reads(source, queue):
    with gp.build(source):
        request = gp.BatchRequest()
        request[RAW] = gp.ArraySpec(roi=Roi((0, 0), (2, 2)))
        source.request_batch(request)
    queue.put(len(source.array.reads))


def test_a_forked_child_does_not_inherit_the_budget(fetch, holding):
    import multiprocessing

    array = _recording(np.zeros((4, 4), dtype=np.float32), (1, 1))
    holding(10_000)
    source = DaCapoArraySource(array, RAW)
    fetch(source, {RAW: Roi((0, 0), (2, 2))})  # held here
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_reads, args=(source, queue))
    child.start()
    assert queue.get(timeout=30) == 2  # the child read its ROI itself
    child.join(timeout=30)
