"""Elastic resampling of batched crops with torch, on whatever device they are.

The same arithmetic as ``dacapo.gp.ElasticAugment`` on the CPU: source
positions in float64 rounded once to float32, voxel indices in float32;
linear interpolation with the edge repeated beyond the crop, nearest
neighbour as ``floor(index + 1/2)`` clamped to the crop.
"""

from __future__ import annotations

from typing import List, NamedTuple, Tuple

import torch


class Grid(NamedTuple):
    """Where an array's output voxels are, for one deformation geometry.

    ``centred[d]``: the output voxel centres along axis ``d`` minus the
    deformation's centre (world units, float64); ``weights[d]``: the spline
    weights of the control points at those positions (``(outputs,
    control points)``); ``centre``: the deformation's centre relative to its
    origin (float64); ``shift``: the origin minus the crop's begin and
    ``voxel_size`` the array's (float32); these three shaped ``(1, dims, 1,
    ...)`` to broadcast over a batch of positions; ``crop``: the crop's
    spatial shape.
    """

    centred: List[torch.Tensor]
    weights: List[torch.Tensor]
    centre: torch.Tensor
    shift: torch.Tensor
    voxel_size: torch.Tensor
    crop: Tuple[int, ...]


def source_indices(rotation: torch.Tensor, control: torch.Tensor, grid: Grid) -> torch.Tensor:
    """``(batch, dims, *output)`` float32 voxel indices into the crop of each
    output voxel's source: ``centre + R (p - centre) + displacement(p)``.

    ``rotation``: ``(batch, dims, dims)``; ``control``: ``(batch, dims,
    *control points)`` displacements, both float64."""
    dims = len(grid.centred)
    displacement = control
    for axis, weights in enumerate(grid.weights):  # separable spline, axis by axis
        moved = torch.movedim(displacement, 2 + axis, -1) @ weights.T
        displacement = torch.movedim(moved, -1, 2 + axis)
    # in Deformation.source_coordinates' order: ((R[i, 0] c0 + R[i, 1] c1 + ...)
    # + centre[i]) + displacement, every row i at once; each product keeps the
    # small shape of its axis, the sums grow to the whole grid
    terms = []
    for j, centred in enumerate(grid.centred):
        view = [-1 if a == j else 1 for a in range(dims)]
        column = rotation[:, :, j].reshape(rotation.shape[0], dims, *[1] * dims)
        terms.append(column * centred.reshape(1, 1, *view))
    placed = terms[0]
    for term in terms[1:]:
        placed = placed + term
    placed = (placed + grid.centre) + displacement
    out = placed.to(torch.float32)  # rounded to float32 once
    return out.add_(grid.shift).div_(grid.voxel_size).sub_(0.5)


def linear(crops: torch.Tensor, index: torch.Tensor, keep_type: bool = True) -> torch.Tensor:
    """``crops`` (``(batch, channels, *crop)``) linearly interpolated at ``index``
    (``source_indices``), the crop's edge repeated beyond it; with
    ``keep_type`` integer crops are rounded back to their type (half to even,
    as ``numpy.rint``), else the values are float32."""
    dims = index.shape[1]
    sizes = crops.shape[2:]
    normalised = [index[:, d] * (2.0 / (sizes[d] - 1)) - 1.0 for d in reversed(range(dims))]
    grid = torch.stack(normalised, dim=-1)  # x (the last axis) first
    values = torch.nn.functional.grid_sample(
        crops.float(), grid, mode="bilinear", padding_mode="border", align_corners=True
    )
    if not keep_type:
        return values
    if crops.dtype.is_floating_point:
        return values.to(crops.dtype)
    return torch.round(values).to(crops.dtype)  # between two of its values: in range


def nearest_flat(index: torch.Tensor, crop: Tuple[int, ...]) -> torch.Tensor:
    """``(batch, *output)`` flat index into each crop of the voxel nearest to
    each position of ``index``."""
    flat = torch.zeros(index.shape[:1] + index.shape[2:], dtype=torch.int64,
                       device=index.device)
    for d, size in enumerate(crop):
        voxel = torch.floor(index[:, d] + 0.5).clamp_(0, size - 1)
        flat.mul_(size).add_(voxel.to(torch.int64))
    return flat


def nearest(crops: torch.Tensor, flat: torch.Tensor) -> torch.Tensor:
    """``crops`` (``(batch, channels, *crop)``) at ``flat`` (``nearest_flat``)."""
    batch, channels = crops.shape[:2]
    source = crops.reshape(batch, channels, -1)
    picks = flat.reshape(batch, 1, -1).expand(batch, channels, -1)
    return torch.gather(source, 2, picks).reshape((batch, channels) + flat.shape[1:])
