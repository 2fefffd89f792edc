"""What prediction reads and writes: normalised input, and outputs as float32 or uint8.

Input. The network must see what training showed it. Training feeds the
values of a dataset's raw ``Array`` (cast to float32, zero-padded beyond it),
so an ``Array`` given to prediction is used as it is. A raw dataset named by
container and dataset is opened as ``SimpleDataset`` opens training raw:
uint8 divided by 255, uint16 by 65535, floating point as it is.

Output. float32 outputs hold the model's eval-mode values. uint8 outputs
map the value range of the model's eval activation onto 0..255
(``round((x - lo) / (hi - lo) * 255)``, clipped). Per task:

============================  ====================================  ==========
task                          eval activation                       range
============================  ====================================  ==========
DistanceTask                  clamp (Hardtanh) or tanh              [-1, 1]
HotDistanceTask               2 sigmoid - 1 (hot), clamp (distance)  [-1, 1]
InnerDistanceTask             Hardtanh(0, 1)                        [0, 1]
AffinitiesTask                sigmoid                               [0, 1]
OneHotTask                    softmax over channels                 [0, 1]
DummyTask, no activation      none                                  [-1, 1] *
PretrainedTask                that of the wrapped task
============================  ====================================  ==========

so ``[-1, 1]`` becomes ``round((x + 1) / 2 * 255)`` and ``[0, 1]``
``round(x * 255)``. (*) A model without an eval activation has no known
range; as upstream DaCapo, [-1, 1] is assumed (and logged).
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Tuple

import numpy as np

from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["value_range", "to_output_dtype", "open_raw", "as_output_dtype"]

#: output dtypes prediction writes
OUTPUT_DTYPES = (np.dtype(np.float32), np.dtype(np.uint8))


def as_output_dtype(dtype: Any, where: str) -> np.dtype:
    """``dtype`` as a numpy dtype, if prediction can write it (else ``ConfigError``)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise ConfigError(f"{where}: output_dtype {dtype!r} is not a dtype: {error}") from None
    if dtype not in OUTPUT_DTYPES:
        raise ConfigError(
            f"{where}: output_dtype {dtype} is not supported; use numpy.float32 (raw "
            "values) or numpy.uint8 (scaled by the eval activation's range)"
        )
    return dtype


def value_range(model) -> Tuple[float, float]:
    """The range ``(lo, hi)`` of ``model``'s eval-mode outputs (see the module doc)."""
    import torch

    activation = getattr(model, "eval_activation", None)
    if activation is None:
        logger.info("model has no eval activation; uint8 outputs assume values in [-1, 1]")
        return (-1.0, 1.0)
    declared = getattr(activation, "output_range", None)
    if declared is not None:
        return (float(declared[0]), float(declared[1]))
    if isinstance(activation, torch.nn.Hardtanh):  # also clamp, ReLU6
        return (float(activation.min_val), float(activation.max_val))
    if isinstance(activation, (torch.nn.Sigmoid, torch.nn.Softmax, torch.nn.Softmax2d)):
        return (0.0, 1.0)
    if isinstance(activation, (torch.nn.Tanh, torch.nn.Softsign)):
        return (-1.0, 1.0)
    return _probed_range(activation, int(getattr(model, "num_out_channels", 1)))


def _probed_range(activation, channels: int) -> Tuple[float, float]:
    """The range of an elementwise, saturating ``activation``: its values at
    +-1e4, if those equal its values at +-1e6; else [-1, 1]."""
    import torch

    ranges = []
    for big in (1e4, 1e6):
        probe = torch.full((2, channels, 1), big)
        probe[0] = -big
        try:
            with torch.inference_mode():
                values = activation(probe).float()
        except Exception as error:  # an activation that cannot take the probe
            logger.warning("could not probe the eval activation %r: %s", activation, error)
            break
        ranges.append((float(values.min()), float(values.max())))
    if len(ranges) == 2 and np.allclose(ranges[0], ranges[1]) and np.isfinite(ranges[0]).all():
        lo, hi = ranges[0]
        if hi > lo:
            return (lo, hi)
    logger.warning(
        "the range of eval activation %r is unknown; uint8 outputs assume [-1, 1] "
        "(give the module an `output_range = (lo, hi)` attribute)", activation
    )
    return (-1.0, 1.0)


def to_output_dtype(
    data: np.ndarray, dtype: np.dtype, value_range: Optional[Tuple[float, float]]
) -> np.ndarray:
    """float32 ``data`` as ``dtype``: unchanged for float32, scaled for uint8."""
    if dtype == np.float32:
        return data.astype(np.float32, copy=False)
    if value_range is None:
        raise RuntimeError("to_output_dtype: uint8 output needs the value range")
    lo, hi = value_range
    scaled = (data - np.float32(lo)) * np.float32(255.0 / (hi - lo))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def open_raw(array_identifier, name: str = "prediction input"):
    """The raw dataset ``array_identifier`` names, normalised as training raw
    of a ``SimpleDataset`` is (uint8 / 255, uint16 / 65535, floats as they are)."""
    from dacapo._build import build
    from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
    from dacapo.experiments.datasplits.datasets.simple_dataset import _normalised_raw

    config = ZarrArrayConfig(
        name=array_identifier.dataset,
        file_name=array_identifier.container,
        dataset=array_identifier.dataset,
        mode="r",
    )
    return build(_normalised_raw(name, config))


def scaled_raw(array_identifier, minimum: float, maximum: float):
    """The raw dataset ``array_identifier`` names, mapped so that ``minimum`` is
    0 and ``maximum`` 1 (as an ``IntensitiesArrayConfig`` does)."""
    from dacapo._build import build
    from dacapo.experiments.datasplits.datasets.arrays import (
        IntensitiesArrayConfig,
        ZarrArrayConfig,
    )

    source = ZarrArrayConfig(
        name=array_identifier.dataset,
        file_name=array_identifier.container,
        dataset=array_identifier.dataset,
        mode="r",
    )
    return build(
        IntensitiesArrayConfig(
            name=f"{array_identifier.dataset}_normalised",
            source_array_config=source,
            min=minimum,
            max=maximum,
        )
    )
