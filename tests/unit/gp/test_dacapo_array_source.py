"""DaCapoArraySource: a DaCapo Array as a gunpowder provider."""

import gunpowder as gp
import numpy as np
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
