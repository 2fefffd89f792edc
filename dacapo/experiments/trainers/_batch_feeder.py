"""Batches on the training device: in step on the CPU, prefetched on a GPU.

On a GPU the next batches are made by a background thread while the current
step runs: each is copied into reused page-locked (pinned) buffers and on to
the device on a copy stream of its own, so neither batch making nor the
host-to-device copy holds up the GPU. The training step waits for the copy
with a stream event, not a host synchronisation.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import numpy as np
import torch

#: batches made ahead of the step on a GPU (each holds device memory)
PREFETCH_DEPTH = 2

Batch = Dict[str, np.ndarray]
Tensors = Dict[str, torch.Tensor]
#: maps a batch's tensors on the device to those of the training step
Prepare = Callable[[Tensors], Tensors]
#: CUDA priority of the stream the training steps run on (lower is more
#: urgent; the prefetch thread's stream has the default, 0); None: the default stream
TRAINING_STREAM_PRIORITY: Optional[int] = -1


def as_tensor(array: np.ndarray) -> torch.Tensor:
    """``array`` as a CPU tensor: floats (and booleans) as float32, integers as int64."""
    array = np.asarray(array)
    if array.dtype.kind in "fcb":
        array = array.astype(np.float32, copy=False)
    else:
        array = array.astype(np.int64, copy=False)
    return torch.as_tensor(array)


#: integer types torch computes with as they are (others are widened)
_KEPT = (np.uint8, np.int8, np.int16, np.int32, np.int64)


def compact_tensor(array: np.ndarray) -> torch.Tensor:
    """``array`` as a CPU tensor in as few bytes as keep its values, for the
    copy to the device: floats as float32, booleans as uint8, integer types
    torch computes with as they are, uint16 as it is (torch only copies it:
    ``on_device`` widens it to int32 after the copy), other integers as
    int64 (uint64 ids above ``2 ** 63`` wrap, which keeps which ids are equal
    and which are 0)."""
    array = np.asarray(array)
    if array.dtype == np.bool_:
        return torch.as_tensor(array.view(np.uint8))
    if array.dtype.kind not in "iu":
        return torch.as_tensor(array.astype(np.float32, copy=False))
    if array.dtype.type in _KEPT or array.dtype == np.uint16 and array.dtype.isnative:
        return torch.as_tensor(array)
    return torch.as_tensor(array.astype(np.int32 if array.dtype == np.uint16 else np.int64))


def on_device(tensor: torch.Tensor, device: torch.device,
              non_blocking: bool = False) -> torch.Tensor:
    """``tensor`` copied to ``device``; a uint16 one copied as int16 (the same
    bytes: the device needs no uint16 kernel) and ``widened`` there, so the
    host neither widens nor stages it."""
    if tensor.dtype == torch.uint16:
        tensor = tensor.view(torch.int16)
        return _int16_as_uint16(tensor.to(device, non_blocking=non_blocking))
    return tensor.to(device, non_blocking=non_blocking)


def widened(tensor: torch.Tensor) -> torch.Tensor:
    """A uint16 ``tensor`` as int32 (its bytes seen as int16, sign-extended,
    the upper half masked off: kernels every device has); others as they are."""
    if tensor.dtype != torch.uint16:
        return tensor
    return _int16_as_uint16(tensor.view(torch.int16))


def _int16_as_uint16(tensor: torch.Tensor) -> torch.Tensor:
    """int32 values of the uint16s whose bytes ``tensor`` (int16) holds."""
    return tensor.to(torch.int32).bitwise_and_(0xFFFF)


def pinned_array(shape, dtype) -> np.ndarray:
    """An uninitialised array in page-locked memory (torch's caching host
    allocator: a freed block is reused once its copies are done), which the
    prefetch thread copies to the GPU without staging it; ``np.empty`` for a
    type torch does not hold."""
    try:
        like = torch.from_numpy(np.empty(0, dtype))
    except (TypeError, ValueError):  # a type torch lacks, or not in this machine's byte order
        return np.empty(shape, dtype)
    return torch.empty(tuple(shape), dtype=like.dtype, pin_memory=True).numpy()


def is_draw(name: str) -> bool:
    """Whether a batch entry is an augmentation's draw (e.g. ``elastic_draw``,
    ``simple_draw_0``): a few numbers a sample, kept on the host, where reading
    them costs no device synchronisation."""
    return "draw" in name.split("_")


def batch_tensors(batch: Batch) -> Tensors:
    """The arrays a training step needs, as CPU tensors: ``raw``, ``target`` and
    ``weight`` (when given); a batch without a target (it is computed on the
    device, see ``feed``'s ``prepare``) gives ``raw``, ``gt`` and ``mask``;
    augmentations' draws (``is_draw``) come as they are, and stay on the host.
    ``raw`` keeps its values in as few bytes as it can (``compact_tensor``:
    uint8 images stay a byte a voxel for the copy) and the training step
    makes it float32 on the device."""
    tensors = {"raw": compact_tensor(batch["raw"])}  # made float on the device
    for name, values in batch.items():
        if is_draw(name):  # augmentations drawn by the data workers
            tensors[name] = torch.as_tensor(np.asarray(values))
    if batch.get("target") is None:
        tensors["gt"] = compact_tensor(batch["gt"])
        if batch.get("mask") is not None:
            tensors["mask"] = compact_tensor(batch["mask"])
        return tensors
    tensors["target"] = as_tensor(batch["target"])
    if batch.get("weight") is not None:
        tensors["weight"] = as_tensor(batch["weight"])
    return tensors


def feed(
    make_batch: Callable[[int], Batch], first: int, count: int, device: torch.device,
    prefetch: Optional[bool] = None, prepare: Optional[Prepare] = None,
) -> Iterator[Tuple[Batch, Tensors]]:
    """Batches ``first`` .. ``first + count - 1`` with their tensors on ``device``.

    ``make_batch(i)`` makes batch ``i``. With ``prefetch`` (the default on
    CUDA) up to ``PREFETCH_DEPTH`` batches are made ahead in a thread;
    otherwise each is made when asked for. ``prepare`` (e.g. computing the
    target from ``gt`` on the device) maps each batch's device tensors to
    those of the step; it is called in batch order, on a GPU in the prefetch
    thread on its copy stream, so the step does not wait for it.

    The first batch is always made in the calling thread: data workers start
    on the first request, and Linux ties their parent-death signal to the
    thread that started them, so workers started by the short-lived prefetch
    thread would be killed when it ends.
    """
    if prefetch is None:
        prefetch = device.type == "cuda"
    if count <= 0:
        return
    batch = make_batch(first)
    if not prefetch:
        for index in range(first, first + count):
            if index > first:
                batch = make_batch(index)
            yield batch, _in_step(batch_tensors(batch), device, prepare)
        return
    # made before the thread prepares the next ones
    ready = _in_step(batch_tensors(batch), device, prepare)
    with _Prefetcher(make_batch, first + 1, count - 1, device, prepare) as prefetcher:
        yield batch, ready
        for _ in range(count - 1):
            yield prefetcher.next()


@contextlib.contextmanager
def training_stream(device: torch.device) -> Iterator[None]:
    """On CUDA, makes a stream of ``TRAINING_STREAM_PRIORITY`` current for the
    training steps, so that the kernels the prefetch thread launches for the
    next batch (augments, targets) fill the GPU's gaps rather than delay the
    step's; it starts after the work queued before, and the stream current
    before waits for it afterwards (no host synchronisation). Elsewhere, or
    with ``TRAINING_STREAM_PRIORITY`` None, nothing changes."""
    if device.type != "cuda" or TRAINING_STREAM_PRIORITY is None:
        yield
        return
    previous = torch.cuda.current_stream(device)
    stream = torch.cuda.Stream(device=device, priority=TRAINING_STREAM_PRIORITY)
    stream.wait_stream(previous)
    try:
        with torch.cuda.stream(stream):
            yield
    finally:
        previous.wait_stream(stream)


def _in_step(cpu: Tensors, device: torch.device, prepare: Optional[Prepare]) -> Tensors:
    """A batch's tensors on ``device``, prepared when there is a ``prepare``."""
    tensors = {name: tensor if is_draw(name) else on_device(tensor, device)
               for name, tensor in cpu.items()}
    return tensors if prepare is None else prepare(tensors)


class _Prefetcher:
    """Two threads making batches ahead: one asks the pipeline for them (the
    data workers' hand-over) and makes their CPU tensors, the other copies
    them to the device and prepares them there. The two overlap: the second
    mostly waits on the GPU, with the GIL released."""

    def __init__(self, make_batch: Callable[[int], Batch], first: int, count: int,
                 device: torch.device, prepare: Optional[Prepare] = None):
        self._make_batch = make_batch
        self._prepare = prepare
        self._indices = range(first, first + count)
        self._device = device
        self._made: "queue.Queue[Any]" = queue.Queue(maxsize=PREFETCH_DEPTH)
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=PREFETCH_DEPTH)
        self._stop = threading.Event()
        self._stream = torch.cuda.Stream(device=device) if device.type == "cuda" else None
        self._pinned: Dict[str, torch.Tensor] = {}
        self._threads = [
            threading.Thread(target=self._make, name="dacapo-batches", daemon=True),
            threading.Thread(target=self._run, name="dacapo-batches-to-device", daemon=True),
        ]

    def __enter__(self) -> "_Prefetcher":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        while any(thread.is_alive() for thread in self._threads):
            for waiting in (self._made, self._queue):  # unblock a thread on a full queue
                try:
                    waiting.get(timeout=0.05)
                except queue.Empty:
                    pass

    def next(self) -> Tuple[Batch, Tensors]:
        """The next batch; its device tensors are ready for the current stream."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        batch, tensors, ready = item
        if ready is None:  # not on CUDA
            return batch, tensors
        current = torch.cuda.current_stream(self._device)
        current.wait_event(ready)
        for tensor in tensors.values():
            tensor.record_stream(current)  # memory made on the copy stream, used here
        return batch, tensors

    def _make(self) -> None:
        try:
            for index in self._indices:
                if self._stop.is_set():
                    return
                batch = self._make_batch(index)
                self._put(self._made, (batch, batch_tensors(batch)))
        except BaseException as error:  # handed on to the training thread
            self._put(self._made, error)

    def _run(self) -> None:
        for _ in self._indices:
            item = self._get(self._made)
            if item is None:  # stopped
                return
            try:
                if isinstance(item, BaseException):
                    raise item
                self._put(self._queue, self._copied(*item))
            except BaseException as error:  # handed to the training thread
                self._put(self._queue, error)
                return

    def _get(self, waiting: "queue.Queue[Any]") -> Any:
        while not self._stop.is_set():
            try:
                return waiting.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    def _put(self, waiting: "queue.Queue[Any]", item: Any) -> None:
        while not self._stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _copied(self, batch: Batch, cpu: Tensors) -> Tuple[Batch, Tensors, Any]:
        """The batch's tensors on the device, through a pinned buffer per array
        (reused: the copy is waited for, in this thread only), with the event
        that marks the copy done (None off CUDA)."""
        if self._stream is None:
            return batch, _in_step(cpu, self._device, self._prepare), None
        tensors = {}
        with torch.cuda.stream(self._stream):
            for name, tensor in cpu.items():
                if is_draw(name):
                    tensors[name] = tensor
                    continue
                if not tensor.is_pinned():  # staged through a reused pinned buffer
                    tensor = self._pinned_buffer(name, tensor).copy_(tensor)
                tensors[name] = on_device(tensor, self._device, non_blocking=True)
            if self._prepare is not None:
                tensors = self._prepare(tensors)
            ready = torch.cuda.Event()
            ready.record(self._stream)
        ready.synchronize()
        return batch, tensors, ready

    def _pinned_buffer(self, name: str, like: torch.Tensor) -> torch.Tensor:
        buffer: Optional[torch.Tensor] = self._pinned.get(name)
        if buffer is None or buffer.shape != like.shape or buffer.dtype != like.dtype:
            buffer = torch.empty(like.shape, dtype=like.dtype, pin_memory=True)
            self._pinned[name] = buffer
        return buffer
