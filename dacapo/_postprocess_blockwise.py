"""Post-processing of a stored prediction with daisy, block by block.

Threshold and argmax run their ``dacapo.blockwise`` workers; mutex watershed
runs through ``segment_blockwise`` (unique ids per block, joined across block
faces), so one consistent segmentation comes out and memory stays bounded by
a block. Other post-processors run their own (threaded, blockwise)
``process``. A uint8 prediction written by ``predict`` records the value range
its 0..255 encode (``value_range``); thresholds chosen on float predictions
(validation) are encoded the same way before they are applied.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Optional, Sequence

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._array_identifiers import LocalArrayIdentifier

logger = logging.getLogger(__name__)

__all__ = ["post_process_blockwise", "encoded_threshold"]

#: voxels per axis of a block when the prediction's chunks are smaller
MIN_BLOCK_VOXELS = 64
#: the watershed's blocks are at least this many times its context a side
CONTEXT_RATIO = 4


def post_process_blockwise(
    post_processor: Any,
    parameters: Any,
    prediction_array_identifier: LocalArrayIdentifier,
    output_array_identifier: LocalArrayIdentifier,
    *,
    num_workers: int = 1,
    overwrite: bool = True,
    compute_context: Any = None,
    block_voxels: Optional[Sequence[int]] = None,
) -> None:
    """Writes ``post_processor``'s output for ``parameters`` over the whole
    prediction into ``output_array_identifier``; blocks are ``block_voxels``
    (default: the prediction's chunks, at least ``MIN_BLOCK_VOXELS`` a side)."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    prediction = ZarrArray.open_from_array_identifier(prediction_array_identifier)
    step = _STEPS.get(type(post_processor).__name__, _in_process)
    logger.info("post-processing %s with %s into %s", prediction_array_identifier,
                parameters, output_array_identifier)
    block = _block_shape(prediction, block_voxels)
    step(post_processor, parameters, prediction, prediction_array_identifier,
         output_array_identifier, dict(num_workers=num_workers, overwrite=overwrite,
                                       compute_context=compute_context, block=block))


def encoded_threshold(threshold: float, prediction: Any) -> float:
    """``threshold`` in the units ``prediction`` stores (uint8 with a recorded
    ``value_range`` [lo, hi] holds ``(x - lo) / (hi - lo) * 255``)."""
    value_range = prediction.attrs.get("value_range")
    if np.dtype(prediction.dtype) != np.uint8 or value_range is None:
        return float(threshold)
    low, high = (float(v) for v in value_range)
    return (float(threshold) - low) / (high - low) * 255.0


def _threshold(post_processor, parameters, prediction, prediction_id, output_id, options):
    from dacapo.blockwise import threshold_worker

    _create_like(prediction, output_id, prediction.axes, np.uint8, options)
    _run_worker(threshold_worker, prediction, prediction_id, output_id, options,
                threshold=encoded_threshold(parameters.threshold, prediction))


def _argmax(post_processor, parameters, prediction, prediction_id, output_id, options):
    from dacapo.blockwise import argmax_worker

    spatial = [axis for axis in prediction.axes if axis not in ("b", "c")]
    dtype = post_processor._output_dtype(prediction)
    _create_like(prediction, output_id, spatial, dtype, options)
    _run_worker(argmax_worker, prediction, prediction_id, output_id, options)


def _watershed(post_processor, parameters, prediction, prediction_id, output_id, options):
    from dacapo.blockwise import watershed_function
    from dacapo.blockwise.segmentation import segment_blockwise

    spatial = [axis for axis in prediction.axes if axis not in ("b", "c")]
    voxel_size = prediction.voxel_size
    longest = max(max(abs(int(c)) for c in offset) for offset in post_processor.offsets)
    context_voxels = Coordinate(
        max(int(c), longest) for c in parameters.context[-prediction.dims:]
    )
    context = context_voxels * voxel_size
    block = options["block"] = _watershed_block(options["block"], context, prediction.roi)
    _create_like(prediction, output_id, spatial, np.uint64, options)
    segment_blockwise(
        watershed_function, context, prediction.roi, Roi(context * 0, block + context * 2),
        Roi(context, block), options["num_workers"],
        compute_context=options["compute_context"], input_array_identifier=prediction_id,
        output_array_identifier=output_id,
        parameters={"offsets": [list(o) for o in post_processor.offsets],
                    "bias": parameters.bias,
                    "long_range_bias": post_processor.long_range_bias,
                    "min_object_size": post_processor.min_object_size},
    )


def _watershed_block(block: Coordinate, context: Coordinate, roi: Roi) -> Coordinate:
    """Blocks of at least ``CONTEXT_RATIO`` times the context a side (as far as
    the data reaches), so that a block reads no more than about twice the
    voxels it writes; rounded up to whole multiples of ``block``."""
    grown = []
    for b, c, extent in zip(block, context, roi.shape):
        wanted = min(max(b, CONTEXT_RATIO * c), max(b, extent))
        grown.append(-(-wanted // b) * b)
    return Coordinate(grown)


def _in_process(post_processor, parameters, prediction, prediction_id, output_id, options):
    post_processor.set_prediction(prediction)
    post_processor.process(parameters, output_id, num_workers=options["num_workers"])


def _run_worker(worker, prediction, prediction_id, output_id, options, **kwargs) -> None:
    from dacapo.blockwise.scheduler import run_blockwise

    block = Roi((0,) * prediction.dims, options["block"])
    run_blockwise(
        worker, prediction.roi, block, block, options["num_workers"],
        compute_context=options["compute_context"], voxel_size=prediction.voxel_size,
        input_array_identifier=prediction_id, output_array_identifier=output_id, **kwargs,
    )


def _block_shape(prediction: Any, block_voxels: Optional[Sequence[int]]) -> Coordinate:
    """World shape of a block."""
    if block_voxels is not None:
        return Coordinate(tuple(block_voxels)[-prediction.dims:]) * prediction.voxel_size
    chunks = tuple(prediction.data.chunks)[-prediction.dims:]
    voxels = Coordinate(max(int(c), MIN_BLOCK_VOXELS) for c in chunks)
    return voxels * prediction.voxel_size


def _create_like(prediction, identifier, axes, dtype, options: Dict[str, Any]) -> None:
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    num_channels: Optional[int] = prediction.num_channels if "c" in axes else None
    ZarrArray.create_from_array_identifier(
        identifier, list(axes), prediction.roi, num_channels, prediction.voxel_size, dtype,
        write_size=options["block"], overwrite=options["overwrite"],
    )


_Step = Callable[..., None]
_STEPS: Dict[str, _Step] = {
    "ThresholdPostProcessor": _threshold,
    "ArgmaxPostProcessor": _argmax,
    "WatershedPostProcessor": _watershed,
}
