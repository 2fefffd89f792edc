"""Instance segmentation of affinities with the mutex watershed."""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from funlib.geometry import Coordinate

from dacapo._checks import check_int
from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.utils.label_ids import unique_ids, unique_inverse
from dacapo.utils.roi_slices import roi_slices

from .post_processor import Block, PostProcessor, channel_count
from .watershed_post_processor_parameters import WatershedPostProcessorParameters

BIASES = (0.1, 0.25, 0.5, 0.75, 0.9)


class WatershedPostProcessor(PostProcessor[WatershedPostProcessorParameters]):
    """Mutex watershed (``mwatershed.agglom``) on the first ``len(offsets)``
    channels of an affinity prediction, giving uint64 instance ids.

    Each affinity is shifted by ``-bias`` (long-range offsets, longer than one
    voxel, by a further ``-long_range_bias``, since a long edge is weaker
    evidence of a connection). Objects whose mean affinity (per voxel, the
    largest short-range affinity) is below the bias are background (0).
    Integer predictions are read as encoded [0, 1] values (uint8: 255 = 1).
    Objects of fewer than ``min_object_size`` voxels (counted in the block and
    its context) are fragments: their voxels join the neighbouring objects
    (grown into them voxel by voxel), or become background where none is near.

    Each block is segmented with ``parameters.context`` voxels around it and
    gets its own ids; joining objects across block faces is left to the
    blockwise tools, so use blocks larger than the objects.
    """

    parameters_type = WatershedPostProcessorParameters
    default_block_size = (256, 256, 256)

    def __init__(self, offsets: Sequence[Sequence[int]], *, long_range_bias: float = 0.1,
                 min_object_size: int = 0):
        self.offsets = [Coordinate(offset) for offset in offsets]
        if not self.offsets or len({o.dims for o in self.offsets}) != 1:
            raise ConfigError(
                f"WatershedPostProcessor: offsets {[tuple(o) for o in self.offsets]} must "
                "be a non-empty list of offsets of one dimensionality, e.g. [(1, 0, 0), "
                "(0, 1, 0), (0, 0, 1)]"
            )
        self.long_range_bias = float(long_range_bias)
        check_int("WatershedPostProcessor", "min_object_size", min_object_size, 0)
        self.min_object_size = int(min_object_size)

    def enumerate_parameters(self) -> Iterator[WatershedPostProcessorParameters]:
        """Biases 0.1, 0.25, 0.5, 0.75 and 0.9."""
        for i, bias in enumerate(BIASES):
            yield WatershedPostProcessorParameters(id=i, bias=bias)

    def _check_prediction(self, prediction: Array) -> None:
        dims = self.offsets[0].dims
        channels = channel_count(prediction)
        if prediction.dims != dims or channels < len(self.offsets):
            raise ConfigError(
                f"WatershedPostProcessor: prediction {prediction.name!r} (axes "
                f"{prediction.axes}, shape {prediction.shape}) does not fit "
                f"{len(self.offsets)} {dims}D offsets; expected a 'c' axis with at least "
                f"{len(self.offsets)} affinity channels and {dims} spatial axes"
            )

    def _output_dtype(self, prediction: Array) -> np.dtype:
        return np.dtype(np.uint64)

    def _process_block(self, parameters: WatershedPostProcessorParameters, block: Block):
        prediction = self._require_prediction()
        context = Coordinate(parameters.context[-prediction.dims :]) * prediction.voxel_size
        read_roi = block.roi.grow(context, context).intersect(prediction.roi)
        labels = self._segment_roi(read_roi, parameters.bias)
        labels = labels[roi_slices(block.roi, read_roi.begin, prediction.voxel_size)]
        return unique_ids(labels, offset=block.id * block.max_voxels)

    def _segment_roi(self, roi, bias: float) -> np.ndarray:
        """Mutex watershed, then background removal, of the prediction in
        ``roi``. Only the stored values (not float64 copies) of the support
        outlive the affinities, which are freed before the labels are
        analysed: the peak is the affinities plus ``mwatershed``'s own."""
        data = self._require_prediction()[roi][: len(self.offsets)]
        support = self._short_range(data).max(axis=0)  # stored dtype: decoded later
        affinities = _decode(data)
        del data
        labels = self._agglomerate(affinities, bias)
        del affinities
        return self._filter(labels, _decode(support).ravel(), bias)

    def _long_range(self) -> np.ndarray:
        return np.array([max(abs(c) for c in o) > 1 for o in self.offsets])

    def _short_range(self, affinities: np.ndarray) -> np.ndarray:
        """The short-range channels (all of them when there are none)."""
        long_range = self._long_range()
        return affinities[~long_range] if (~long_range).any() else affinities

    def _agglomerate(self, affinities: np.ndarray, bias: float) -> np.ndarray:
        """``mwatershed.agglom`` of ``affinities`` shifted (in place) by the biases."""
        import mwatershed

        shift = bias + self.long_range_bias * self._long_range()
        affinities -= shift.reshape((-1,) + (1,) * (affinities.ndim - 1))  # (our own copy)
        return mwatershed.agglom(affinities, [list(o) for o in self.offsets])

    def _filter(self, labels: np.ndarray, support: np.ndarray, bias: float) -> np.ndarray:
        """Objects of mean ``support`` below ``bias`` become background;
        those under ``min_object_size`` voxels are absorbed by neighbours."""
        ids, inverse = unique_inverse(labels)
        sizes = np.bincount(inverse, minlength=len(ids))
        mean = np.bincount(inverse, weights=support, minlength=len(ids)) / sizes
        keep = (mean >= bias) & (ids != 0)
        shape = labels.shape
        labels = np.where(keep[inverse], labels.ravel(), 0).reshape(shape)
        small = keep & (sizes < self.min_object_size)
        if not small.any():
            return labels
        return _absorb(labels, small[inverse].reshape(shape))


def _decode(data: np.ndarray) -> np.ndarray:
    """Stored affinities as C-ordered float64 in [0, 1] (integers are encoded
    [0, 1] values: uint8 255 = 1)."""
    affinities = data.astype(np.float64)
    if data.dtype.kind in "iu":
        affinities /= np.iinfo(data.dtype).max
    return np.ascontiguousarray(affinities)


def _absorb(labels: np.ndarray, fragments: np.ndarray, max_steps: int = 16) -> np.ndarray:
    """``labels`` with the ``fragments`` voxels relabelled by growing the other
    objects into them, one face neighbour per step; those still unreached
    after ``max_steps`` steps become background."""
    labels = np.where(fragments, 0, labels)
    holes = fragments.copy()
    for _ in range(max_steps):
        before = int(holes.sum())
        for axis in range(labels.ndim):
            for source, target in ((slice(1, None), slice(None, -1)),
                                   (slice(None, -1), slice(1, None))):
                lead = (slice(None),) * axis
                neighbour = labels[lead + (source,)]
                take = holes[lead + (target,)] & (neighbour != 0)
                labels[lead + (target,)][take] = neighbour[take]
                holes[lead + (target,)][take] = False
        if not holes.any() or holes.sum() == before:
            break
    return labels

