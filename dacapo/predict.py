"""Blockwise prediction of a whole volume with a trained run: ``predict``.

The volume is cut into blocks that daisy hands to ``num_workers`` worker
processes (``dacapo.blockwise.predict_worker``), each loading the model once
and running the prediction engine (``dacapo._inference``) on the compute
context's device. A single worker on the CPU (without a ``timeout``) runs in
this process instead, with the model ``predict`` loaded: it saves starting
a process, its imports and a second model build, and loses nothing on the
CPU, where reading and writing use the cores the forward pass uses.
Blocks are a whole number of output windows (one for valid nets; four
strides, two windows, for same-padded nets, which blend overlapping
windows), and the output dataset has one chunk per block.
"""

from __future__ import annotations

import logging
import types
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._callable_module import make_module_callable

if TYPE_CHECKING:
    from dacapo.experiments.datasplits.datasets.arrays.array import Array

logger = logging.getLogger(__name__)

__all__ = ["predict"]


def predict(
    run_name: Any,
    iteration: int,
    input_container: Any,
    input_dataset: str,
    output_path: Any,
    output_roi: Any = None,
    num_workers: int = 1,
    output_dtype: Any = np.uint8,
    overwrite: bool = True,
    *,
    skip_empty: bool = False,
    half: bool = False,
    blocks_per_pass: int = 4,
    compute_context: Any = None,
    timeout: Optional[float] = None,
) -> "Array":
    """Predicts ``input_container/input_dataset`` with run ``run_name`` at
    ``iteration`` and returns the opened output.

    Args:
        run_name: A run name, or a ``Run`` (its config must be stored: workers
            load the run by name).
        iteration: Weights to use; 0 without a checkpoint: the freshly
            initialised model (the same in every worker). A missing checkpoint
            raises ``NoSuchCheckpointError``.
        output_path: A path containing ``.zarr`` or ``.n5`` is the container;
            otherwise the container is ``<output_path>/<input stem>.zarr``.
            The dataset is ``prediction_<run>_<iteration>``.
        output_roi: A ``Roi`` or a string ``"[z0:z1,y0:y1,x0:x1]"`` (world
            units), snapped outward to the output voxel grid and cut to the
            raw ROI shrunk by the network's context (the default).
        num_workers: Worker processes.
        output_dtype: ``np.uint8`` (the eval activation's range scaled to
            0..255, see ``dacapo._inference_values``) or ``np.float32``.
        overwrite: Replace an existing output and predict every block. With
            False an existing output of the same geometry is kept and the job
            resumes: blocks recorded as done by an earlier run are skipped.
        skip_empty: Skip blocks whose input is constant (e.g. all fill value,
            or beyond the data); they are written as 0.
        half: Predict in half precision (float16 on CUDA, bfloat16 on CPU).
        blocks_per_pass: Windows per forward pass (halved on CUDA OOM).
        compute_context: Default ``create_compute_context()`` (the options).
        timeout: Seconds one block may take before its worker is stopped and
            the block retried (None: daisy's 600 s, not enforced for a
            single CPU worker, which runs in this process); raise it for
            large blocks on a CPU.
    """
    from dacapo._array_identifiers import LocalArrayIdentifier
    from dacapo._inference_geometry import inference_geometry
    from dacapo._inference_setup import (
        blockwise_output_roi,
        load_model,
        open_input,
        output_identifier,
        run_config_of,
        training_raw_range,
    )
    from dacapo._inference_values import as_output_dtype, value_range
    from dacapo._run_outputs import record_run_output

    dtype = as_output_dtype(output_dtype, "predict")
    run_config = run_config_of(run_name)
    model = load_model(run_config, iteration)  # fails early on missing weights
    input_id = LocalArrayIdentifier(input_container, input_dataset)
    raw_range = training_raw_range(run_config)
    raw = open_input(input_id, raw_range)
    geometry = inference_geometry(model, raw.voxel_size)
    roi = blockwise_output_roi(raw, geometry, output_roi)
    output_id = output_identifier(
        output_path, input_container, f"prediction_{run_config.name}_{iteration}"
    )
    block_size = geometry.default_block_size()
    channels = _channel_names(run_config, geometry.num_channels)
    output = _create_output(output_id, raw, geometry, roi, block_size, dtype, overwrite, channels)
    if dtype == np.uint8:  # what 0 and 255 stand for, so thresholds can be encoded
        output.add_metadata({"value_range": list(value_range(model))})
    worker = _worker(model, num_workers, compute_context, timeout)
    _run(worker, run_config.name, iteration, input_id, output_id, roi, geometry, block_size,
         num_workers, compute_context, timeout, raw_range=raw_range,
         blocks_per_pass=blocks_per_pass, half=half, skip_empty=skip_empty)
    record_run_output(run_config.name, "prediction", output_id, iteration, input_id)
    return output


def _worker(model, num_workers: int, compute_context: Any, timeout: Optional[float]) -> Any:
    """The predict worker module, or, for a single worker on the CPU without
    a timeout (which only a worker process can enforce), the same worker in
    this process with ``model``."""
    from dacapo.blockwise import predict_worker

    if num_workers != 1 or timeout is not None:
        return predict_worker
    if predict_worker.worker_device(compute_context).type != "cpu":
        return predict_worker  # a process reads and writes while the GPU computes
    return predict_worker.InProcessWorker(model)


def _run(worker: Any, run_name: str, iteration: int, input_id, output_id, roi: Roi, geometry,
         block_size: Coordinate, num_workers: int, compute_context: Any,
         timeout: Optional[float], **options: Any) -> None:
    """Runs the predict ``worker`` over ``roi``: blocks write ``block_size`` and
    read it grown by the geometry's block context."""
    from dacapo.blockwise.scheduler import run_blockwise

    context = geometry.block_context
    read_roi = Roi((0,) * roi.dims, block_size + context * 2)
    write_roi = Roi(context, block_size)
    here = not isinstance(worker, types.ModuleType)
    logger.info("predicting %s over %s in blocks of %s with %d worker(s)%s", output_id, roi,
                block_size, num_workers, " in this process" if here else "")
    run_blockwise(
        worker, roi.grow(context, context), read_roi, write_roi, num_workers, 2,
        timeout, None, compute_context=compute_context, voxel_size=geometry.output_voxel_size,
        run_name=run_name, iteration=iteration, input_array_identifier=input_id,
        output_array_identifier=output_id, origin=tuple(roi.offset), **options,
    )


def _channel_names(run_config, num_channels: int) -> Optional[list]:
    """The names of the model's output channels, from the run's task."""
    from dacapo._build import build

    predictor = getattr(build(run_config.task_config), "predictor", None)
    names = getattr(predictor, "output_channels", None) or getattr(predictor, "channels", None)
    if names is None or len(names) != num_channels:
        return None
    return [str(name) for name in names]


def _create_output(identifier, raw, geometry, roi: Roi, block_size: Coordinate, dtype,
                   overwrite: bool, channel_names: Optional[list]):
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    spatial = [axis for axis in raw.axes if axis not in ("b", "c")]
    return ZarrArray.create_from_array_identifier(
        identifier, ["c"] + spatial, roi, geometry.num_channels, geometry.output_voxel_size,
        dtype, write_size=block_size, overwrite=overwrite, channel_names=channel_names,
    )


make_module_callable(__name__)
