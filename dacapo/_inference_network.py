"""The network side of prediction: forward passes in eval mode, under
``torch.inference_mode``, in batches that shrink when GPU memory runs out."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator, List

import numpy as np
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["Network"]


class Network:
    """``model`` on ``device``, predicting windows ``blocks_per_pass`` at a time.

    Args:
        device: Where the model runs; default: where its parameters are.
        half: Autocast to float16 (CUDA) or bfloat16 (CPU).
        input_shape: The window's input shape, for messages.
    """

    def __init__(self, model, device: Any, blocks_per_pass: int, half: bool,
                 input_shape: Coordinate):
        import torch

        _check_blocks_per_pass(blocks_per_pass)
        self.model = model
        self.device = torch.device(device) if device is not None else _model_device(model)
        self.blocks_per_pass = int(blocks_per_pass)
        self.half = bool(half)
        self.input_shape = input_shape
        #: forward passes of the last ``forward`` call
        self.last_passes = 0

    @contextmanager
    def running(self) -> Iterator[None]:
        """The model on the device in eval mode, under ``torch.inference_mode``;
        its training mode is restored afterwards."""
        import torch

        training = self.model.training
        self.model.to(self.device).eval()
        try:
            with torch.inference_mode():
                yield
        finally:
            self.model.train(training)

    def forward(self, data) -> np.ndarray:
        """float32 predictions for the windows in ``data`` (a CPU tensor), in
        passes of at most ``blocks_per_pass``; an out-of-memory error halves it
        and retries, and fails only for a single window."""
        import torch

        results: List[np.ndarray] = []
        start, self.last_passes = 0, 0
        while start < len(data):
            size = min(self.blocks_per_pass, len(data) - start)
            try:
                results.append(self._pass(data[start:start + size]))
                self.last_passes += 1
                start += size
            except torch.cuda.OutOfMemoryError as error:
                if size == 1:
                    raise self._too_large(error) from error
                self.blocks_per_pass = max(1, size // 2)
                logger.warning("prediction: out of GPU memory with %d windows per pass; "
                               "retrying with %d", size, self.blocks_per_pass)
                del error
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
        return np.concatenate(results)

    def _pass(self, data) -> np.ndarray:
        import torch

        x = data.to(self.device, non_blocking=True)
        parameter = next(self.model.parameters(), None)
        if parameter is not None and parameter.dtype != x.dtype:
            x = x.to(parameter.dtype)
        dtype = torch.float16 if self.device.type == "cuda" else torch.bfloat16
        with torch.autocast(device_type=self.device.type, dtype=dtype, enabled=self.half):
            y = self.model(x)
        return y.float().cpu().numpy()

    def _too_large(self, error) -> ConfigError:
        return ConfigError(
            f"prediction: one window of input shape {tuple(self.input_shape)} does not fit "
            f"in GPU memory ({error}); lower the architecture's eval_shape_increase"
            + ("" if self.half else ", or predict with half=True")
        )


def _model_device(model):
    import torch

    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _check_blocks_per_pass(value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(
            f"prediction: blocks_per_pass must be a positive integer, got {value!r}"
        )
