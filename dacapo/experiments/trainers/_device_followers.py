"""The augments that follow the elastic one on the training device, each as its
worker-side node would apply it, from the draws the data workers made."""

from __future__ import annotations

import math
from typing import Callable, Dict, List

import torch

from dacapo.errors import ConfigError

from .gp_augments import (
    GammaAugmentConfig,
    IntensityAugmentConfig,
    IntensityScaleShiftAugmentConfig,
    NoiseAugmentConfig,
    SimpleAugmentConfig,
)

Tensors = Dict[str, torch.Tensor]
#: the arrays mirrored and transposed alike
SPATIAL_NAMES = ("raw", "gt", "mask")


def apply_follower(augment, tensors: Tensors, draws: torch.Tensor, dims: int) -> None:
    """Applies ``augment`` (one of ``FOLLOWERS``) to ``tensors`` in place of its
    entries, with the batch's ``draws`` (host tensor, one row a sample, as its
    draw node wrote them)."""
    kind = next(kind for kind in _APPLY if isinstance(augment, kind))
    _APPLY[kind](augment, tensors, draws, dims)


def _simple(augment, tensors: Tensors, draws, dims: int) -> None:
    """As ``gp.SimpleAugment``: mirror first, then transpose, every array alike."""
    for name in SPATIAL_NAMES:
        if name in tensors:
            tensors[name] = _mirrored_transposed(tensors[name], draws, dims)


def _mirrored_transposed(values: torch.Tensor, draws: torch.Tensor, dims: int) -> torch.Tensor:
    samples: List[torch.Tensor] = []
    lead = values.dim() - 1 - dims  # channel axes of a sample
    for sample, draw in zip(values, draws.tolist()):
        if draw[0]:
            mirror, transpose = draw[1 : 1 + dims], draw[1 + dims :]
            flips = [lead + d for d in range(dims) if mirror[d]]
            if flips:
                sample = torch.flip(sample, flips)
            sample = sample.permute(list(range(lead)) + [lead + t for t in transpose])
        samples.append(sample)
    return torch.stack(samples)


def _intensity(augment, tensors: Tensors, draws, dims: int) -> None:
    """As ``gp.IntensityAugment``: ``mean + (v - mean) * scale + shift`` per
    sample (its own mean), clipped to [0, 1] with ``clip``."""
    raw = _float_raw(tensors, "IntensityAugmentConfig")
    applied = draws[:, 0] > 0
    if not bool(applied.any()):  # skipped, as the node would be: nothing checked
        return
    if augment.clip:
        _check_unit_range(raw, "IntensityAugmentConfig (clip=True)", "or set clip=False")
    shape = (-1,) + (1,) * (raw.dim() - 1)
    scale = draws[:, 1].to(raw.device, raw.dtype).reshape(shape)
    shift = draws[:, 2].to(raw.device, raw.dtype).reshape(shape)
    mean = raw.reshape(raw.shape[0], -1).mean(dim=1).reshape(shape)
    changed = (raw - mean).mul_(scale).add_(mean).add_(shift)
    if augment.clip:
        changed.clamp_(0, 1)
    tensors["raw"] = torch.where(applied.to(raw.device).reshape(shape), changed, raw)


def _gamma(augment, tensors: Tensors, draws, dims: int) -> None:
    """As ``GammaAugment``: ``v ** gamma``, raw in [0, 1]."""
    raw = _float_raw(tensors, "GammaAugmentConfig")
    _check_unit_range(raw, "GammaAugmentConfig", "and apply gamma before any scale or shift "
                      "that leaves [0, 1]")
    shape = (-1,) + (1,) * (raw.dim() - 1)
    tensors["raw"] = torch.pow(raw, draws[:, 1].to(raw.device, raw.dtype).reshape(shape))


def _scale_shift(augment, tensors: Tensors, draws, dims: int) -> None:
    """As ``gp.IntensityScaleShift``: ``v * scale + shift`` (the same for every sample)."""
    scale, shift = draws[0, 1:].tolist()
    tensors["raw"] = tensors["raw"] * scale + shift


def _noise(augment, tensors: Tensors, draws, dims: int) -> None:
    """As ``gp.NoiseAugment`` (``skimage.util.random_noise``, sample by sample):
    noise of the same kind and parameters, drawn with torch from the seed
    the data worker passed on (so not the same numbers as skimage's)."""
    raw = _float_raw(tensors, "NoiseAugmentConfig")
    if not bool((draws[:, 0] > 0).any()):  # skipped, as the node would be: nothing checked
        return
    if augment.clip:
        _check_range(raw, -1.0, "NoiseAugmentConfig (clip=True)", "or set clip=False",
                     "[-1, 1] or [0, 1]")
    samples = []
    for sample, (applied, seed) in zip(raw, draws.tolist()):
        if applied:
            generator = torch.Generator(device=sample.device)
            generator.manual_seed(int(seed))
            sample = _noisy(augment, sample, generator)
        samples.append(sample)
    tensors["raw"] = torch.stack(samples)


def _noisy(augment, image: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``random_noise(image, mode, clip, ...)`` for one sample."""
    low = -1.0 if float(image.amin()) < 0 else 0.0  # as skimage: by the sample's minimum
    mode = augment.mode
    if mode in ("gaussian", "speckle"):
        noise = torch.randn(image.shape, generator=generator, device=image.device,
                            dtype=image.dtype)
        noise = noise * augment.option("var") ** 0.5 + augment.option("mean")
        out = image + (noise if mode == "gaussian" else image * noise)
    elif mode == "poisson":
        out = _poisson(image, low, generator)
    else:
        salt = {"salt": 1.0, "pepper": 0.0}.get(mode, augment.option("salt_vs_pepper"))
        out = _salt_and_pepper(image, augment.option("amount"), salt, low, generator)
    return out.clamp(low, 1.0) if augment.clip else out


def _poisson(image: torch.Tensor, low: float, generator: torch.Generator) -> torch.Tensor:
    values = 2.0 ** math.ceil(math.log2(max(1, torch.unique(image).numel())))
    top = float(image.amax()) if low == -1.0 else 0.0
    if low == -1.0:
        image = (image + 1.0) / (top + 1.0)
    out = torch.poisson(image * values, generator=generator) / values
    return out * (top + 1.0) - 1.0 if low == -1.0 else out


def _salt_and_pepper(image: torch.Tensor, amount: float, salt: float, low: float,
                     generator: torch.Generator) -> torch.Tensor:
    def bernoulli(p: float) -> torch.Tensor:
        uniform = torch.rand(image.shape, generator=generator, device=image.device)
        return uniform <= p

    flipped, salted = bernoulli(amount), bernoulli(salt)
    out = torch.where(flipped & salted, torch.ones_like(image), image)
    return torch.where(flipped & ~salted, torch.full_like(image, low), out)


def _float_raw(tensors: Tensors, owner: str) -> torch.Tensor:
    raw = tensors["raw"]
    if not raw.dtype.is_floating_point:
        raise ConfigError(
            f"{owner}: raw of a training batch has type {raw.dtype}; expected float values "
            "in [0, 1]; normalise it first (e.g. an IntensitiesArrayConfig)"
        )
    return raw


def _check_unit_range(raw: torch.Tensor, owner: str, fix: str) -> None:
    _check_range(raw, 0.0, owner, fix, "[0, 1]")


def _check_range(raw: torch.Tensor, lowest: float, owner: str, fix: str, expected: str) -> None:
    low_value, high_value = torch.stack(torch.aminmax(raw)).tolist()  # one synchronisation
    if low_value < lowest or high_value > 1:
        raise ConfigError(
            f"{owner}: raw of a training batch has values in [{low_value}, {high_value}]; "
            f"expected {expected}; normalise it into {expected} first, {fix}"
        )


_APPLY: Dict[type, Callable[..., None]] = {
    SimpleAugmentConfig: _simple,
    IntensityAugmentConfig: _intensity,
    GammaAugmentConfig: _gamma,
    IntensityScaleShiftAugmentConfig: _scale_shift,
    NoiseAugmentConfig: _noise,
}
#: the augments that can follow the elastic one on the device
FOLLOWERS = tuple(_APPLY)
