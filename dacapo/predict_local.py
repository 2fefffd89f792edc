"""In-process prediction into a float32 zarr dataset (used by validation).

``predict(model, raw, prediction_array_identifier, output_roi=None)`` runs the
prediction engine (``dacapo._inference``) in this process, block by block:
one output window per block for valid nets, four strides (two windows) for
same-padded nets, whose overlapping windows are blended. The output dataset
has a leading ``c`` axis, one chunk per block, and is replaced if it exists.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._callable_module import make_module_callable
from dacapo.errors import RoiError

if TYPE_CHECKING:
    from dacapo._array_identifiers import LocalArrayIdentifier
    from dacapo.experiments.datasplits.datasets.arrays.array import Array
    from dacapo.experiments.model import Model

logger = logging.getLogger(__name__)

__all__ = ["predict", "predict_local"]


def predict_local(
    model: "Model",
    raw_array_identifier: Union["LocalArrayIdentifier", "Array"],
    prediction_array_identifier: "LocalArrayIdentifier",
    output_roi: Optional[Roi] = None,
    *,
    device=None,
    blocks_per_pass: int = 4,
    half: bool = False,
    overlap: float = 0.5,
) -> "Array":
    """Predicts ``output_roi`` of ``raw`` with ``model`` and returns the float32 output.

    Args:
        raw_array_identifier: The input: an ``Array`` is used as it is (as
            training reads a dataset's raw array); a dataset identifier is
            normalised by its dtype (uint8 / 255, uint16 / 65535).
        output_roi: World-unit ROI to predict, snapped outward to the output
            voxel grid and cut to the raw ROI; input beyond the raw ROI reads
            as 0, as in training. Default: the raw ROI shrunk by the context.
        device: Where the model runs (it is moved there); default: where its
            parameters are.
        blocks_per_pass: Windows per forward pass (halved on CUDA OOM).
        half: Predict with autocast (float16 on CUDA, bfloat16 on CPU).
        overlap: Window overlap of same-padded networks.
    """
    from tqdm import tqdm

    from dacapo._inference import InferenceEngine, block_rois
    from dacapo._inference_geometry import inference_geometry
    from dacapo._inference_values import open_raw
    from dacapo.experiments.datasplits.datasets.arrays.array import Array

    raw = raw_array_identifier
    if not isinstance(raw, Array):
        raw = open_raw(raw_array_identifier)
    geometry = inference_geometry(model, raw.voxel_size, overlap)
    roi = prediction_roi(raw, geometry, output_roi)
    block_size = geometry.default_block_size()
    output = _create_output(prediction_array_identifier, raw, geometry, roi, block_size)
    engine = InferenceEngine(model, raw, output, device=device, blocks_per_pass=blocks_per_pass,
                             half=half, origin=roi.offset, overlap=overlap)
    blocks = block_rois(roi, block_size)
    stats = engine.predict(tqdm(blocks, desc="predict", unit="block", disable=None))
    logger.info("predicted %s over %s: %d blocks, %d windows in %d passes, %.1f s",
                prediction_array_identifier, roi, stats.blocks, stats.windows, stats.passes,
                stats.seconds)
    return output


#: the upstream name: ``from dacapo.predict_local import predict``
predict = predict_local


def prediction_roi(raw: "Array", geometry, output_roi: Optional[Roi]) -> Roi:
    """The output ROI: ``output_roi`` snapped outward to the output grid and cut
    to the raw ROI, or the raw ROI shrunk by the context; ``RoiError`` if empty."""
    voxel_size = geometry.output_voxel_size
    if output_roi is None:
        roi = raw.roi.grow(-geometry.context, -geometry.context)
        what = f"the raw ROI {raw.roi} shrunk by the context {tuple(geometry.context)}"
    else:
        if not isinstance(output_roi, Roi):
            raise RoiError(f"predict: output_roi must be a funlib Roi, got {output_roi!r}")
        roi = output_roi.snap_to_grid(voxel_size, mode="grow").intersect(raw.roi)
        what = f"output_roi {output_roi} inside the raw ROI {raw.roi}"
    roi = roi.snap_to_grid(voxel_size, mode="shrink") if not roi.empty else roi
    if roi.empty or any(s <= 0 for s in roi.shape):
        raise RoiError(
            f"predict: nothing to predict: {what} is empty; give an output_roi inside "
            f"the raw data, or raw data larger than the network's input "
            f"({tuple(geometry.input_size)} world units)"
        )
    return roi


def _create_output(identifier, raw, geometry, roi: Roi, block_size: Coordinate):
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    spatial = [axis for axis in raw.axes if axis not in ("b", "c")]
    return ZarrArray.create_from_array_identifier(
        identifier, ["c"] + spatial, roi, geometry.num_channels, geometry.output_voxel_size,
        np.float32, write_size=block_size, overwrite=True,
    )


make_module_callable(__name__)
