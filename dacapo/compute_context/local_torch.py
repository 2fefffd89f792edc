"""Computing on this machine with torch: CUDA when there is room on it, else CPU."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Optional

import attr

from dacapo._checks import check_number, fail, owner_of
from dacapo.errors import ConfigError

from .compute_context import ComputeContext

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

__all__ = ["LocalTorch"]

_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?|mps)$")
_BYTES_PER_GB = 1e9


def _device_name(instance, attribute, value):
    if value is not None and not (isinstance(value, str) and _DEVICE.match(value)):
        fail(owner_of(instance), "device", value,
             "one of 'cpu', 'cuda', 'cuda:N' (N a GPU index) or 'mps'",
             "leave it unset (null) to use CUDA when available")


def _gigabytes(instance, attribute, value):
    check_number(owner_of(instance), attribute.name, value, 0, allow_none=True)


@attr.s
class LocalTorch(ComputeContext):
    """Runs workers on this machine (in-process, or as local processes when
    ``distribute_workers``) on an explicit device, or on CUDA when available.

    With the device chosen automatically, a GPU with less than ``oom_limit``
    GB (10^9 bytes) free falls back to the CPU with a warning. The choice is
    made once, on first use of ``device``.
    """

    _device: Optional[str] = attr.ib(
        default=None,
        validator=_device_name,
        metadata={
            "help_text": "'cpu', 'cuda', 'cuda:N' or 'mps'; unset: CUDA when available "
            "(and at least oom_limit GB free), else CPU."
        },
    )
    oom_limit: Optional[float] = attr.ib(
        default=4.2,
        validator=_gigabytes,
        metadata={
            "help_text": "GB of free GPU memory below which an automatic device choice "
            "falls back to the CPU; null: never fall back."
        },
    )
    # the device chosen on first use (a torch.device; Any keeps torch unimported)
    _resolved: Any = attr.ib(default=None, init=False, eq=False, repr=False)

    @property
    def device(self) -> "torch.device":
        """The explicit device, else CUDA (with room on it), else CPU."""
        if self._resolved is None:
            self._resolved = (
                _explicit_device(self._device) if self._device is not None else _auto_device(
                    self.oom_limit
                )
            )
        return self._resolved


def _explicit_device(name: str) -> "torch.device":
    import torch

    device = torch.device(name)
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (device.index is not None and device.index >= count):
            raise ConfigError(
                f"LocalTorch: device {name!r} was asked for but this machine has "
                f"{count} CUDA device(s) visible to torch; choose another device or leave "
                "it unset to pick one automatically"
            )
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "LocalTorch: device 'mps' was asked for but torch.backends.mps is not "
            "available here; choose another device or leave it unset"
        )
    return device


def _auto_device(oom_limit: Optional[float]) -> "torch.device":
    import torch

    if not torch.cuda.is_available():
        return torch.device("cpu")
    if oom_limit is not None:
        free, _total = torch.cuda.mem_get_info()
        if free / _BYTES_PER_GB < oom_limit:
            logger.warning(
                "LocalTorch: only %.2f GB of GPU memory free, below oom_limit %s GB; "
                "computing on the CPU (set device: cuda to force the GPU, or lower "
                "oom_limit)",
                free / _BYTES_PER_GB, oom_limit,
            )
            return torch.device("cpu")
    return torch.device("cuda")
