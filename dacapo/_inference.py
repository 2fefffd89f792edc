"""The prediction engine: a model applied to blocks of an input array.

``InferenceEngine(model, input_array, output_array, ...).predict(blocks)``
predicts every block (a write ROI, or anything with a ``write_roi``, such as
a daisy block):

* each block is covered by the model's output windows on a lattice anchored
  at ``origin`` (see ``dacapo._inference_geometry``): valid nets tile it
  exactly; same-padded nets (context 0) overlap their windows and blend them
  with a Gaussian weight, dividing each voxel by its weight sum, so that the
  result does not depend on the blocking;
* a background thread reads each block's input once (zero-padded beyond the
  input array) and stacks windows into batches of ``blocks_per_pass``
  while the model runs (``dacapo._inference_reader``);
* the forward pass runs under ``torch.inference_mode`` in eval mode, with
  autocast in half precision if asked (float16 on CUDA, bfloat16 on CPU),
  and a CUDA out-of-memory error halves ``blocks_per_pass`` and retries
  (``dacapo._inference_network``); only a single window that does not fit fails;
* outputs are written as float32, or as uint8 scaled by the eval
  activation's range (``dacapo._inference_values``); ``on_done(block)`` is
  called once a block's data is written.

Memory is bounded by a few batches and the blocks in flight, never the volume.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Iterable, Iterator, Optional

import attr
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._inference_geometry import (  # noqa: F401 (block_rois re-exported)
    InferenceGeometry,
    block_rois,
    gaussian_weight,
    inference_geometry,
)
from dacapo._inference_network import Network
from dacapo._inference_reader import END, Batch, BlockJob, Reader
from dacapo._inference_values import as_output_dtype, to_output_dtype, value_range
from dacapo.errors import ConfigError
from dacapo.utils.roi_slices import roi_slices

logger = logging.getLogger(__name__)

__all__ = ["InferenceEngine", "InferenceStats", "block_rois"]


@attr.s
class InferenceStats:
    """What ``InferenceEngine.predict`` did (``blocks`` counts the written ones)."""

    blocks: int = attr.ib(default=0)
    skipped: int = attr.ib(default=0)
    failed: int = attr.ib(default=0)
    windows: int = attr.ib(default=0)
    passes: int = attr.ib(default=0)
    seconds: float = attr.ib(default=0.0)
    blocks_per_pass: int = attr.ib(default=0)


@attr.s
class _Callbacks:
    """Where ``InferenceEngine.predict`` reports finished and failed blocks."""

    on_done: Callable[[Any], None] = attr.ib()
    on_failed: Optional[Callable[[Any, BaseException], None]] = attr.ib()
    stats: InferenceStats = attr.ib()

    def check_handled(self, error: BaseException) -> None:
        """Re-raises ``error`` when there is no ``on_failed`` to take it."""
        if self.on_failed is None:
            raise error

    def done(self, job: BlockJob) -> None:
        self.stats.blocks += 1
        self.stats.skipped += int(job.skipped)
        self.on_done(job.block)

    def fail(self, job: BlockJob) -> None:
        if self.on_failed is None or job.error is None:
            raise job.error or RuntimeError("prediction: a block failed without an error")
        self.stats.failed += 1
        self.on_failed(job.block, job.error)


class InferenceEngine:
    """Predicts blocks of ``output_array`` from ``input_array`` with ``model``.

    Args:
        model: A dacapo ``Model`` (any module with ``eval_input_shape``,
            ``compute_output_shape`` and ``scale`` works). It is put in eval
            mode and moved to ``device``.
        input_array: What the network sees (normalised as in training; see
            ``dacapo._inference_values.open_raw``).
        output_array: A writable array with the model's channels (a ``c``
            axis, optional for one channel), dtype float32 or uint8.
        device: Where the model runs; default: where its parameters are.
        blocks_per_pass: Windows per forward pass (halved on CUDA OOM).
        half: Autocast to float16 (CUDA) or bfloat16 (CPU).
        origin: Lattice origin of the output windows; default: the output
            array's ROI offset. Use the same origin for every block of a job.
        overlap: Window overlap of same-padded nets.
        skip_empty: Skip blocks whose input (as the network sees it, zero
            padding included) is constant, e.g. all fill value; they are
            written as 0.
        mask: Skip blocks where this array is 0 over the whole write ROI.
    """

    def __init__(
        self, model, input_array, output_array, *, device=None, blocks_per_pass: int = 4,
        half: bool = False, origin: Optional[Coordinate] = None, overlap: float = 0.5,
        skip_empty: bool = False, mask=None,
    ):
        self.model = model
        self.input_array, self.output_array, self.mask = input_array, output_array, mask
        self.skip_empty = bool(skip_empty)
        self.geometry: InferenceGeometry = inference_geometry(
            model, input_array.voxel_size, overlap
        )
        self.network = Network(model, device, blocks_per_pass, half, self.geometry.input_shape)
        self.origin = Coordinate(origin if origin is not None else output_array.roi.offset)
        self.geometry.check_origin(self.origin, input_array.roi.offset, "prediction")
        self.dtype = as_output_dtype(output_array.dtype, f"output array {output_array.name!r}")
        self.value_range = value_range(model) if self.dtype == np.uint8 else None
        self._check_output()

    def _check_output(self) -> None:
        out, channels = self.output_array, self.geometry.num_channels
        found = out.num_channels if "c" in out.axes else 1
        if found != channels or out.voxel_size != self.geometry.output_voxel_size:
            raise ConfigError(
                f"prediction: output array {out.name!r} has {found} channel(s) and voxel "
                f"size {tuple(out.voxel_size)}; the model writes {channels} channel(s) at "
                f"{tuple(self.geometry.output_voxel_size)}; create the output to match"
            )

    # -- the main loop -----------------------------------------------------

    def predict(
        self, blocks: Iterable[Any], on_done: Optional[Callable[[Any], None]] = None,
        on_failed: Optional[Callable[[Any, BaseException], None]] = None,
    ) -> InferenceStats:
        """Predicts and writes every block; ``on_done(block)`` after each write.

        A block whose read, forward pass or write raises is handed to
        ``on_failed(block, error)`` (the others go on), or, without
        ``on_failed``, the error is raised.
        """
        run = _Callbacks(on_done or (lambda block: None), on_failed, InferenceStats())
        start = time.perf_counter()
        network = self.network
        reader = Reader(self._read, self._window_slices, lambda: network.blocks_per_pass,
                        self._is_empty, pin=network.device.type == "cuda")
        try:
            with network.running():
                self._loop(iter(blocks), reader, run)
        finally:
            reader.close()
        run.stats.seconds = time.perf_counter() - start
        run.stats.blocks_per_pass = network.blocks_per_pass
        return run.stats

    def _loop(self, blocks: Iterator[Any], reader: Reader, run: "_Callbacks") -> None:
        in_flight, exhausted = 0, False
        while True:
            while not exhausted and in_flight < 2 * self.network.blocks_per_pass:
                block = next(blocks, None)
                if block is None:
                    exhausted = True
                    reader.put(END)
                    break
                job = self._job(block)
                in_flight += max(1, len(job.windows))
                reader.put(job)
            if in_flight == 0:
                return
            batch = reader.get()
            in_flight -= sum(max(1, len(job.windows)) for job in batch.skipped + batch.failed)
            in_flight -= len(batch.items)
            self._consume(batch, run)

    def _job(self, block: Any) -> BlockJob:
        roi = block if isinstance(block, Roi) else block.write_roi
        windows = self.geometry.windows(roi, self.origin)
        read_roi = Roi(windows[0].begin, windows[-1].end - windows[0].begin)
        return BlockJob(block, roi, windows, read_roi.grow(self.geometry.context,
                                                          self.geometry.context))

    def _consume(self, batch: Batch, run: "_Callbacks") -> None:
        for job in batch.skipped + batch.failed:
            self._complete(job, run)
        if not batch.items:
            return
        predictions = None
        try:
            predictions = self.network.forward(batch.data)
            run.stats.passes += self.network.last_passes
        except Exception as error:
            run.check_handled(error)
            for job, _ in batch.items:
                job.error = job.error or error
        run.stats.windows += len(batch.items)
        for number, (job, index) in enumerate(batch.items):
            if job.error is None and predictions is not None:
                self._accumulate(job, index, predictions[number])
            job.remaining -= 1
            if job.remaining == 0:
                self._complete(job, run)

    def _complete(self, job: BlockJob, run: "_Callbacks") -> None:
        """Writes a finished (or skipped) block, or hands it over as failed."""
        if job.error is None:
            try:
                self._write(job, self._result(job))
            except Exception as error:
                run.check_handled(error)
                job.error = error
        job.output = job.weight = None
        if job.error is not None:
            run.fail(job)
        else:
            run.done(job)

    # -- reading -------------------------------------------------------------

    def _read(self, roi: Roi) -> np.ndarray:
        """float32 ``(c, *spatial)`` input over ``roi``, 0 beyond the array."""
        data = self.input_array.to_ndarray(roi, fill_value=0)
        data = np.asarray(data, dtype=np.float32)
        if data.ndim == roi.dims:
            data = data[np.newaxis]
        return data

    def _window_slices(self, job: BlockJob, index: int):
        window = self.geometry.input_roi(job.windows[index])
        begin = (window.begin - job.read_roi.begin) / self.geometry.input_voxel_size
        return (slice(None),) + tuple(
            slice(b, b + s) for b, s in zip(begin, self.geometry.input_shape)
        )

    def _is_empty(self, job: BlockJob, data: np.ndarray) -> bool:
        if self.mask is not None:
            mask = self.mask.to_ndarray(job.write_roi.snap_to_grid(self.mask.voxel_size, "grow"))
            if not np.any(mask):
                return True
        return self.skip_empty and bool(data.min() == data.max())

    # -- writing --------------------------------------------------------------

    def _output_shape(self, roi: Roi):
        return (self.geometry.num_channels,) + tuple(roi.shape / self.geometry.output_voxel_size)

    def _accumulate(self, job: BlockJob, index: int, prediction: np.ndarray) -> None:
        """Adds one window's prediction to its block (weighted when blending)."""
        if job.output is None:
            job.output = np.zeros(self._output_shape(job.write_roi), np.float32)
            if self.geometry.blend:
                job.weight = np.zeros(job.output.shape[1:], np.float32)
        output, weights = job.output, job.weight
        window = job.windows[index]
        part = window.intersect(job.write_roi)
        vs = self.geometry.output_voxel_size
        source = roi_slices(part, window.begin, vs)
        target = roi_slices(part, job.write_roi.begin, vs)
        if weights is None:
            output[(slice(None),) + target] = prediction[(slice(None),) + source]
            return
        weight = gaussian_weight(tuple(self.geometry.output_shape))[source]
        output[(slice(None),) + target] += prediction[(slice(None),) + source] * weight
        weights[target] += weight

    def _result(self, job: BlockJob) -> np.ndarray:
        """A block's float32 output: zeros when skipped, blended windows divided
        by their weight sum, or the tiled windows."""
        if job.skipped:
            return np.zeros(self._output_shape(job.write_roi), np.float32)
        output, weights = job.output, job.weight
        if output is None:
            raise RuntimeError("prediction: a block finished before any window came back")
        if weights is not None:
            output /= weights
        return output

    def _write(self, job: BlockJob, data: np.ndarray) -> None:
        """Writes ``data`` (float32, over the job's write ROI) inside the output array."""
        roi = job.write_roi.intersect(self.output_array.roi)
        if roi.empty:
            return
        data = data[(slice(None),) + roi_slices(roi, job.write_roi.begin,
                                                self.geometry.output_voxel_size)]
        data = to_output_dtype(data, self.dtype, self.value_range)
        if "c" not in self.output_array.axes:
            data = data[0]
        self.output_array[roi] = data
