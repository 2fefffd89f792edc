"""Base class of post-processors: prediction -> segmentation, block by block."""

from __future__ import annotations

import itertools
import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import (
    ClassVar,
    Generic,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

import numpy as np
from funlib.geometry import Coordinate, Roi
from tqdm import tqdm

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays._open_array import open_array
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

from .post_processor_parameters import PostProcessorParameters

logger = logging.getLogger(__name__)

NON_SPATIAL_AXES = ("b", "c")

ParametersT = TypeVar("ParametersT", bound=PostProcessorParameters)


class Block(NamedTuple):
    """One block of the prediction's ROI handed to ``_process_block``.

    ``max_voxels`` counts the voxels of a full block, so that adding
    ``id * max_voxels`` to per-block object ids makes them unique.
    """

    roi: Roi
    id: int
    max_voxels: int


def iterate_blocks(roi: Roi, block_shape: Coordinate) -> Iterator[Roi]:
    """Tiles ``roi`` with ``block_shape`` (world units); the last blocks are cropped::

        roi      |0 . . . . . . . . 10|     block_shape 4
        blocks   |0  .  4|4  .  8|8 10|
    """
    counts = [-(-s // b) for s, b in zip(roi.shape, block_shape)]
    for index in itertools.product(*(range(c) for c in counts)):
        offset = roi.offset + Coordinate(index) * block_shape
        yield Roi(offset, block_shape).intersect(roi)


def channel_count(array: Array) -> int:
    """Size of ``array``'s ``"c"`` axis, 0 when it has none."""
    if "c" not in array.axes:
        return 0
    return array.num_channels or 0


def _for_each(blocks: List[Block], function, num_workers: int, description: str) -> None:
    """Calls ``function`` on every block, on ``num_workers`` threads, with progress."""
    progress = dict(total=len(blocks), desc=description, disable=len(blocks) < 4, leave=False)
    if num_workers > 1:
        with ThreadPoolExecutor(num_workers) as pool:
            list(tqdm(pool.map(function, blocks), **progress))
    else:
        for block in tqdm(blocks, **progress):
            function(block)


class PostProcessor(ABC, Generic[ParametersT]):
    """Turns a prediction into an output array for each point of a parameter grid.

    Usage: ``set_prediction(prediction)``, then ``process(parameters, ...)``
    for each of ``enumerate_parameters()``. Processing runs over blocks of
    ``block_size`` voxels, so memory is bounded by a block, not the volume.
    ``ParametersT`` is the subclass's ``parameters_type``.
    """

    parameters_type: ClassVar[Type[PostProcessorParameters]] = PostProcessorParameters
    default_block_size: ClassVar[Tuple[int, ...]] = (128, 128, 128)
    prediction_array: Optional[Array] = None

    @abstractmethod
    def enumerate_parameters(self) -> Iterable[ParametersT]:
        """The parameter grid, with ids 0..n-1."""

    def set_prediction(self, prediction_array) -> None:
        """Sets the prediction (an ``Array`` or ``LocalArrayIdentifier``) to process."""
        self.prediction_array = open_array(prediction_array, "set_prediction")
        self._check_prediction(self.prediction_array)

    def _check_prediction(self, prediction: Array) -> None:  # noqa: B027 - optional hook
        """Raises ``ConfigError`` when this post-processor cannot use ``prediction``."""

    @abstractmethod
    def _output_dtype(self, prediction: Array) -> np.dtype:
        """dtype of the output array."""

    def _output_axes(self, prediction: Array) -> List[str]:
        """Axes of the output: the prediction's spatial axes by default."""
        return [a for a in prediction.axes if a not in NON_SPATIAL_AXES]

    @abstractmethod
    def _process_block(self, parameters: ParametersT, block: Block) -> np.ndarray:
        """Output values for ``block.roi`` (shape of the output's axes)."""

    def process(
        self,
        parameters: ParametersT,
        output_array_identifier: Optional[LocalArrayIdentifier] = None,
        num_workers: int = 1,
        block_size: Optional[Sequence[int]] = None,
    ) -> Array:
        """Writes the output for ``parameters`` over the prediction's ROI.

        Args:
            output_array_identifier: zarr dataset to write (replaced if it
                exists); ``None`` returns an in-memory ``NumpyArray``.
            num_workers: Blocks processed at the same time (threads).
            block_size: Block shape in voxels (default ``default_block_size``);
                trailing entries are used for 2D predictions.
        """
        prediction = self._require_prediction()
        if not isinstance(parameters, self.parameters_type):
            raise ConfigError(
                f"{type(self).__name__}.process: expected {self.parameters_type.__name__}, "
                f"got {type(parameters).__name__} {parameters!r}"
            )
        voxels = self._block_voxels(prediction, block_size)
        block_shape = voxels * prediction.voxel_size
        output = self._create_output(prediction, output_array_identifier, block_shape)
        blocks = [
            Block(roi, i, int(np.prod(voxels)))
            for i, roi in enumerate(iterate_blocks(prediction.roi, block_shape))
        ]

        def run(block: Block) -> None:
            output[block.roi] = self._process_block(parameters, block)

        logger.debug("%s: %d blocks of %s voxels", parameters, len(blocks), tuple(voxels))
        _for_each(blocks, run, num_workers, f"{type(self).__name__} {parameters}")
        return output

    def _require_prediction(self) -> Array:
        if self.prediction_array is None:
            raise RuntimeError(  # called out of order: a programming error
                f"{type(self).__name__}: no prediction to process; call "
                "set_prediction(prediction_array) first"
            )
        return self.prediction_array

    def _block_voxels(self, prediction: Array, block_size) -> Coordinate:
        size = tuple(self.default_block_size if block_size is None else block_size)
        dims = prediction.dims
        if len(size) < dims or any(int(s) < 1 for s in size[-dims:]):
            raise ConfigError(
                f"{type(self).__name__}: block_size {size} does not fit the {dims}D "
                f"prediction {prediction.name!r}; give {dims} positive voxel counts"
            )
        return Coordinate(int(s) for s in size[-dims:])

    def _create_output(self, prediction: Array, identifier, block_shape: Coordinate) -> Array:
        axes = self._output_axes(prediction)
        dtype = np.dtype(self._output_dtype(prediction))
        num_channels = prediction.num_channels if "c" in axes else None
        if identifier is None:
            shape = (() if num_channels is None else (num_channels,)) + tuple(
                prediction.roi.shape / prediction.voxel_size
            )
            return NumpyArray.from_np_array(
                np.zeros(shape, dtype=dtype), prediction.roi, prediction.voxel_size, axes
            )
        return ZarrArray.create_from_array_identifier(
            identifier,
            axes,
            prediction.roi,
            num_channels,
            prediction.voxel_size,
            dtype,
            # one chunk per block, so that blocks written in parallel never share one
            write_size=Coordinate(min(b, s) for b, s in zip(block_shape, prediction.roi.shape)),
            overwrite=True,
        )
