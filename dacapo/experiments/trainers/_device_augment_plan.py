"""Whether the gunpowder trainer can apply its elastic augment on the device, and
the data workers' augment nodes when it does."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate

from ._device_followers import FOLLOWERS
from .gp_augments import ElasticAugmentConfig, SimpleAugmentConfig


def elastic_index(augments: Sequence) -> Optional[int]:
    """The position of the first ``ElasticAugmentConfig`` in ``augments``, if any."""
    for index, augment in enumerate(augments):
        if isinstance(augment, ElasticAugmentConfig):
            return index
    return None


def device_augments_refusal(augments: Sequence, targets_on_device: bool,
                            shapes: Mapping[str, Coordinate]) -> Optional[str]:
    """Why the elastic augment cannot run on the device (None: it can).

    ``shapes``: each array's output shape in voxels, by name."""
    first = elastic_index(augments)
    if first is None:
        return "its augments have no ElasticAugmentConfig, so there is nothing to resample there"
    if not targets_on_device:
        return ("its targets are made in the data workers, and they must be made from the "
                "deformed ground truth; let targets_on_device be True (a task whose predictor "
                "can, e.g. the distance task)")
    dims = next(iter(shapes.values())).dims
    if dims not in (2, 3):
        return f"its data has {dims} spatial dimensions, and the device resamples 2 or 3"
    for index in range(first + 1, len(augments)):
        refusal = _follower_refusal(augments[index], index, first, shapes, dims)
        if refusal is not None:
            return refusal
    return None


def _follower_refusal(augment, index: int, first: int, shapes: Mapping[str, Coordinate],
                      dims: int) -> Optional[str]:
    """Why ``augment``, after the elastic one, cannot follow it on the device."""
    if not isinstance(augment, FOLLOWERS):
        names = ", ".join(kind.__name__ for kind in FOLLOWERS)
        return (f"augments[{index}] ({type(augment).__name__}) comes after the "
                f"ElasticAugmentConfig (augments[{first}]), and only {names} can follow it "
                "on the device; move it before the elastic augment")
    if not isinstance(augment, SimpleAugmentConfig):
        return None
    axes = augment.transposed_axes(dims)
    for name, shape in shapes.items():
        if len({shape[d] for d in axes if d < dims}) > 1:
            return (f"augments[{index}] (SimpleAugmentConfig) may transpose the axes {axes} of "
                    f"{name}, whose sizes differ ({tuple(shape)} voxels); on the device only "
                    "axes of equal size can be transposed (set transpose_only)")
    return None


def followers(augments: Sequence) -> List[Tuple[Any, str]]:
    """The augments after the elastic one, each with the batch entry of its
    draws (``augment_draw_<its index>``)."""
    first = elastic_index(augments)
    assert first is not None  # only asked when the elastic augment goes on the device
    return [(augment, f"augment_draw_{index}")
            for index, augment in enumerate(augments) if index > first]


def draw_keys(augments: Sequence) -> Dict[str, gp.ArrayKey]:
    """The batch entries of the draws, by name: ``elastic_draw``, then those of
    ``followers``."""
    keys = {"elastic_draw": gp.ArrayKey("ELASTIC_DRAW")}
    for _, entry in followers(augments):
        keys[entry] = gp.ArrayKey(entry.upper())
    return keys


def draw_nodes(augments: Sequence, arrays: Mapping[str, gp.ArrayKey],
               growth: Mapping[str, Coordinate]) -> List[gp.BatchFilter]:
    """The data workers' nodes of the augments from the elastic one on: they
    draw, the device applies (``DeviceAugments``)."""
    first = elastic_index(augments)
    assert first is not None
    keys = draw_keys(augments)
    grown = {arrays[name]: g for name, g in growth.items()}
    nodes = [augments[first].draw_node(keys["elastic_draw"], grown)]
    for augment, entry in followers(augments):  # node for node as on the CPU: the same seeds
        nodes.append(augment.draw_node(keys[entry], arrays["raw"]))
    return nodes


def stored_raw_range(augments: Sequence, datasets: Sequence) -> Optional[Tuple[float, float]]:
    """``(min, max)`` when the training device can normalise raw itself: every
    dataset's raw is an ``IntensitiesArray`` of integers of one type and
    range, and no augment before the elastic one reads raw's values (only
    ``SimpleAugmentConfig``). The data workers then hand over raw as stored."""
    first = elastic_index(augments)
    if first is None or not all(isinstance(a, SimpleAugmentConfig) for a in augments[:first]):
        return None
    ranges = set()
    for dataset in datasets:
        affine = getattr(dataset.raw, "affine_source", None)
        if affine is None:
            return None
        source, low, high = affine()
        if np.dtype(source.dtype).kind not in "iu":
            return None
        ranges.add((np.dtype(source.dtype).str, float(low), float(high)))
    if len(ranges) != 1:
        return None
    _, low, high = ranges.pop()
    return low, high
