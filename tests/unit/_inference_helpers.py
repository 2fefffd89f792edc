"""Tiny models and arrays for the prediction tests."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import torch
from funlib.geometry import Coordinate, Roi

from dacapo._build import build
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo.experiments.tasks.predictors import DistancePredictor


def unet_model(
    padding: str = "valid",
    input_shape: Sequence[int] = (28, 28, 28),
    downsample: Sequence[Sequence[int]] = ((2, 2, 2),),
    eval_shape_increase: Optional[Sequence[int]] = None,
    channels: int = 1,
    seed: int = 0,
):
    """A seeded tiny CNNectome U-Net with a distance head (clamp to [-1, 1])."""
    torch.manual_seed(seed)
    architecture = build(
        CNNectomeUNetConfig(
            name="tiny",
            input_shape=Coordinate(input_shape),
            eval_shape_increase=Coordinate(eval_shape_increase) if eval_shape_increase else None,
            fmaps_out=4,
            fmaps_in=1,
            num_fmaps=4,
            fmap_inc_factor=2,
            downsample_factors=[Coordinate(f) for f in downsample],
            padding=padding,
        )
    )
    names = [f"class{i}" for i in range(channels)]
    return DistancePredictor(names, scale_factor=4.0, mask_distances=False).create_model(
        architecture
    )


def whole_pass(model, data: np.ndarray) -> np.ndarray:
    """``model`` (eval mode) on all of ``data`` (z, y, x) at once: (c, z, y, x)."""
    training = model.training
    model.eval()
    with torch.inference_mode():
        result = model(torch.from_numpy(np.ascontiguousarray(data))[None, None]).numpy()[0]
    model.train(training)
    return result


def random_raw(shape, voxel_size=(4, 4, 4), offset=(0, 0, 0), seed: int = 0) -> NumpyArray:
    """float32 noise in [0, 1) as an array without channels."""
    data = np.random.default_rng(seed).random(tuple(shape), dtype=np.float32)
    voxel_size = Coordinate(voxel_size)
    roi = Roi(Coordinate(offset), Coordinate(shape) * voxel_size)
    return NumpyArray.from_np_array(data, roi, voxel_size, ["z", "y", "x"])


def empty_output(roi: Roi, voxel_size, channels: int = 1, dtype=np.float32) -> NumpyArray:
    """A zeroed in-memory output with a channel axis over ``roi``."""
    shape = (channels,) + tuple(roi.shape / Coordinate(voxel_size))
    return NumpyArray.from_np_array(
        np.zeros(shape, dtype=dtype), roi, Coordinate(voxel_size), ["c", "z", "y", "x"]
    )
