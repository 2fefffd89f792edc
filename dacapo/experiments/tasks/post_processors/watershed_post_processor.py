"""Instance segmentation of affinities with the mutex watershed."""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from funlib.geometry import Coordinate

from dacapo._checks import check_int
from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array

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
        affinities = self._read_affinities(read_roi)
        labels = self._segment(affinities, parameters.bias)
        begin = (block.roi.begin - read_roi.begin) / prediction.voxel_size
        end = begin + block.roi.shape / prediction.voxel_size
        labels = labels[tuple(slice(b, e) for b, e in zip(begin, end))]
        return _renumber(labels, offset=block.id * block.max_voxels)

    def _read_affinities(self, roi) -> np.ndarray:
        """The affinity channels in ``roi`` as float64 in [0, 1]."""
        data = self._require_prediction()[roi][: len(self.offsets)]
        affinities = data.astype(np.float64)
        if data.dtype.kind in "iu":
            affinities /= np.iinfo(data.dtype).max
        return np.ascontiguousarray(affinities)

    def _segment(self, affinities: np.ndarray, bias: float) -> np.ndarray:
        """Mutex watershed, then background removal, for one block; shifts
        ``affinities`` (float64, from ``_read_affinities``) in place."""
        import mwatershed

        long_range = np.array([max(abs(c) for c in o) > 1 for o in self.offsets])
        short = affinities[~long_range] if (~long_range).any() else affinities
        support = short.max(axis=0).ravel()
        shift = bias + self.long_range_bias * long_range
        affinities -= shift.reshape((-1,) + (1,) * (affinities.ndim - 1))  # (our own copy)
        labels = mwatershed.agglom(affinities, [list(o) for o in self.offsets])
        ids, inverse, sizes = np.unique(labels.ravel(), return_inverse=True, return_counts=True)
        mean = np.bincount(inverse, weights=support) / sizes
        keep = (mean >= bias) & (ids != 0)
        labels = np.where(keep[inverse], labels.ravel(), 0).reshape(labels.shape)
        fragments = (keep & (sizes < self.min_object_size))[inverse].reshape(labels.shape)
        return _absorb(labels, fragments) if fragments.any() else labels


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


def _renumber(labels: np.ndarray, offset: int) -> np.ndarray:
    """Ids 1..n (0 stays background), shifted by ``offset``."""
    ids, inverse = np.unique(labels, return_inverse=True)
    new_ids = np.arange(len(ids), dtype=np.uint64) + np.uint64(offset)
    if ids[0] == 0:
        new_ids[0] = 0
    else:
        new_ids += np.uint64(1)
    return new_ids[inverse].reshape(labels.shape)
