"""Distance targets computed with torch, on the tensor's device.

These are the device counterparts of ``_distances.py``, for computing the
distance task's targets on the training device (a GPU) from the ground-truth
labels instead of in CPU data workers. Each function takes and returns torch
tensors on the input's device and is checked against its ``_distances``
counterpart value for value (``tests/.../test_device_distances.py``).

``boundary_distances_torch`` is an exact separable transform rather than
``edt``: for each axis ``a``, the squared distance to the nearest face normal
to ``a`` is found along ``a`` with prefix maxima of face indices, then spread
over every other axis ``b`` by the min-plus product
``f(i) = min_j g(j) + ((i - j) * v_b) ** 2``: first over a window of
``WINDOW`` voxels each side, then, for the few lines where a farther ``j``
could still win, over every ``j`` (brute force, which suits a GPU). With
whole-number voxel sizes every squared distance is an exact multiple of 1/4
in float32 (while below ``2 ** 22``), so the minimum over squares followed by
one square root equals the numpy result bit for bit.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from dacapo._checks import check_number, check_numbers
from dacapo.errors import ConfigError
from dacapo.experiments.tasks.predictors._distances import SATURATION, _whole_voxels

#: most elements of a min-plus pass's temporary (lines x n x n, or x (2 * WINDOW + 1))
_MAX_TEMPORARY = 64 * 2**20
#: voxels on each side a min-plus pass searches first (see ``_min_plus``)
WINDOW = 16


def boundary_distances_torch(
    labels: torch.Tensor, voxel_size: Sequence[float], batch_dims: int = 0
) -> torch.Tensor:
    """World-unit distance from each voxel centre to the nearest face between
    voxels of different labels along any axis (float32, ``inf`` when there is
    no such face); equals ``_distances.boundary_distances``.

    Each axis's face family is transformed on its own and only the running
    minimum of squared distances is kept; one square root follows. An axis
    without any face is skipped, which costs one host synchronisation per
    axis (``Tensor.any``). Leading ``batch_dims`` axes (samples, channels)
    are transformed together, each of their volumes on its own: one pass per
    axis serves them all (fewer, larger kernels on a GPU).

    Args:
        labels: Integer or boolean labels of any number of spatial axes,
            after ``batch_dims`` leading axes.
        voxel_size: World size of a voxel along each spatial axis.
        batch_dims: Leading axes that are not spatial.

    Returns:
        float32 distances of the labels' shape, on the labels' device.

    Raises:
        ConfigError: If ``labels`` is no tensor, or ``voxel_size`` does not
            hold one positive number per axis.
    """
    spacing = _checked_spacing("boundary_distances_torch", labels, voxel_size,
                               batch_dims=batch_dims)
    spacing = [0.0] * batch_dims + spacing  # indexed by axis; batch axes unused
    nearest: Optional[torch.Tensor] = None
    for axis in range(batch_dims, labels.ndim):
        squared = _squared_face_distances(labels, spacing, axis, batch_dims)
        if squared is None:
            continue
        nearest = squared if nearest is None else torch.minimum(nearest, squared, out=nearest)
    if nearest is None:
        return torch.full(labels.shape, torch.inf, dtype=torch.float32, device=labels.device)
    return torch.sqrt(nearest, out=nearest)


def _checked_spacing(
    owner: str, labels: Any, voxel_size: Any, field: str = "labels", batch_dims: int = 0
) -> List[float]:
    """``voxel_size`` as floats, after checking it holds one positive number
    per spatial axis (all but ``batch_dims`` leading ones) of the tensor
    ``labels`` (called ``field``)."""
    _check_tensor(owner, field, labels)
    iterable = hasattr(voxel_size, "__iter__") and not isinstance(voxel_size, str)
    values = tuple(voxel_size) if iterable else voxel_size
    spacing = [float(v) for v in check_numbers(owner, "voxel_size", values, 0, strict=True)]
    if len(spacing) != labels.ndim - batch_dims:
        leading = f" after {batch_dims} batch axes" if batch_dims else ""
        raise ConfigError(
            f"{owner}: `voxel_size` {tuple(values)} has {len(spacing)} values, the "
            f"tensor of shape {tuple(labels.shape)} has {labels.ndim - batch_dims} "
            f"spatial axes{leading}; give one voxel size per spatial axis (and no "
            "channel axis)"
        )
    return spacing


def _check_tensor(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, torch.Tensor):
        raise ConfigError(
            f"{owner}: `{field}` must be a torch.Tensor, got {type(value).__name__}; "
            "convert it with torch.as_tensor"
        )


def _squared_face_distances(
    labels: torch.Tensor, spacing: Sequence[float], axis: int, batch_dims: int = 0
) -> Optional[torch.Tensor]:
    """Squared world distances from each voxel centre to the nearest face
    normal to ``axis`` (float32), or ``None`` when there is none in any volume."""
    moved = labels.movedim(axis, -1)
    faces = moved[..., 1:] != moved[..., :-1]
    if not bool(faces.any()):
        return None
    squared = _distances_along(faces, spacing[axis]).movedim(-1, axis)
    for other in range(batch_dims, labels.ndim):
        if other != axis and labels.shape[other] > 1:
            squared = _min_plus(squared, other, spacing[other])
    return squared


def _distances_along(faces: torch.Tensor, size: float) -> torch.Tensor:
    """Squared distance along the last axis to the nearest face, for voxels
    ``0..n-1`` of lines whose faces ``faces[..., p]`` lie between voxels ``p``
    and ``p + 1``: ``((k + 1/2) * size) ** 2``, ``inf`` on lines without one.

    The last face at or before a voxel is a prefix maximum of face indices,
    the next one a suffix minimum; distances are counted in half voxels
    (always odd) so they stay integers until the final scaling.
    """
    n = faces.shape[-1] + 1
    index = torch.arange(n, device=faces.device)
    pad = torch.zeros(faces.shape[:-1] + (1,), dtype=torch.bool, device=faces.device)
    # voxel i sees the face at p = i - 1 on its left and the one at p = i on its right
    left = torch.where(torch.cat([pad, faces], -1), index - 1, -(n + 1))
    right = torch.where(torch.cat([faces, pad], -1), index, 2 * n + 1)
    last = torch.cummax(left, -1).values
    following = torch.cummin(right.flip(-1), -1).values.flip(-1)
    half_steps = torch.minimum(2 * (index - last) - 1, 2 * (following - index) + 1)
    world = half_steps.to(torch.float32) * (size / 2)
    return torch.where(half_steps < 2 * n, world * world, torch.inf)


def _min_plus(values: torch.Tensor, axis: int, size: float) -> torch.Tensor:
    """``f(i) = min_j values(j) + ((i - j) * size) ** 2`` along ``axis``.

    First over ``|i - j| <= WINDOW`` only; a value then at most ``((WINDOW +
    1) * size) ** 2`` is exact, since every ``j`` farther away adds at least
    that much (float32 addition is monotonic). Lines holding a larger value
    are searched whole (``_whole_lines``). On the CPU the window is a loop of
    shifted minima; on a GPU one unfolded sum and minimum (few kernels).
    """
    moved = values.movedim(axis, -1)
    n = moved.shape[-1]
    lines = moved.reshape(-1, n)
    window = min(WINDOW, n - 1)
    near = _shifted_minima if lines.device.type == "cpu" else _unfolded_minima
    result = near(lines, size, window)
    if window < n - 1:
        _search_far_lines(lines, result, size, window)
    return result.reshape(moved.shape).movedim(-1, axis)


def _squared_offsets(offsets: torch.Tensor, size: float) -> torch.Tensor:
    """float32 ``(offset * size) ** 2``, rounded once from float64."""
    return ((offsets.to(torch.float64) * size) ** 2).to(torch.float32)


def _offset_table(window: int, n: int, size: float, device: torch.device) -> torch.Tensor:
    """``_squared_offsets`` of ``-window..window`` (with ``window``), or of
    ``i - j`` for ``i, j < n`` (``[i, j]``; with ``n``); made once per device
    and kept (every batch uses the same), not to be changed in place."""
    key = (window, n, float(size), str(device))
    table = _TABLES.get(key)
    if table is None:
        if window:
            offsets = torch.arange(-window, window + 1, device=device)
        else:
            index = torch.arange(n, device=device)
            offsets = index[:, None] - index[None, :]
        if len(_TABLES) >= 16:
            _TABLES.pop(next(iter(_TABLES)))
        table = _TABLES[key] = _squared_offsets(offsets, size)
    return table


#: offset tables of ``_offset_table`` by (window, n, size, device)
_TABLES: Dict[Tuple[Any, ...], torch.Tensor] = {}


def _shifted_minima(lines: torch.Tensor, size: float, window: int) -> torch.Tensor:
    """The min-plus pass over ``|i - j| <= window``: one shifted minimum per offset."""
    result = lines.clone()
    steps = _squared_offsets(torch.arange(window + 1), size).tolist()
    for k in range(1, window + 1):
        torch.minimum(result[:, k:], lines[:, :-k] + steps[k], out=result[:, k:])
        torch.minimum(result[:, :-k], lines[:, k:] + steps[k], out=result[:, :-k])
    return result


def _unfolded_minima(lines: torch.Tensor, size: float, window: int) -> torch.Tensor:
    """The min-plus pass over ``|i - j| <= window``: windows of the inf-padded
    lines plus the offsets' squares, minimised, a chunk of lines at a time."""
    width = 2 * window + 1
    padded = torch.nn.functional.pad(lines, (window, window), value=torch.inf)
    table = _offset_table(window, 0, size, lines.device)
    result = torch.empty_like(lines)
    chunk = max(1, _MAX_TEMPORARY // (lines.shape[1] * width))
    for start in range(0, lines.shape[0], chunk):
        windows = padded[start : start + chunk].unfold(-1, width, 1)
        torch.amin(windows + table, dim=-1, out=result[start : start + chunk])
    return result


def _search_far_lines(lines: torch.Tensor, result: torch.Tensor, size: float,
                      window: int) -> None:
    """Replaces (in place) the rows of ``result`` that a value from beyond the
    window might still lower with the full pass over those lines (one host
    synchronisation). Lines without a finite value stay all ``inf``."""
    bound = float(_squared_offsets(torch.tensor(window + 1), size))
    far = ((result > bound).any(-1) & torch.isfinite(lines).any(-1)).nonzero().squeeze(1)
    if far.numel():
        result[far] = _whole_lines(lines[far], size)


def _whole_lines(lines: torch.Tensor, size: float) -> torch.Tensor:
    """The min-plus pass over every ``j``: a broadcast sum and minimum, a
    chunk of lines at a time so that the ``(lines, n, n)`` temporary stays
    below ``_MAX_TEMPORARY`` elements."""
    n = lines.shape[-1]
    table = _offset_table(0, n, size, lines.device)  # [i, j]
    result = torch.empty_like(lines)
    chunk = max(1, _MAX_TEMPORARY // (n * n))
    for start in range(0, lines.shape[0], chunk):
        block = lines[start : start + chunk]
        torch.amin(block[:, None, :] + table, dim=-1, out=result[start : start + chunk])
    return result


def signed_distances_torch(
    labels: torch.Tensor, voxel_size: Sequence[float], batch_dims: int = 0
) -> torch.Tensor:
    """``boundary_distances_torch``, positive inside objects (label != 0) and
    negative outside; equals ``_distances.signed_distances``."""
    _checked_spacing("signed_distances_torch", labels, voxel_size, batch_dims=batch_dims)
    distances = boundary_distances_torch(labels, voxel_size, batch_dims)
    return torch.where(labels == 0, -distances, distances)


def normalised_torch(distances: torch.Tensor, scale_factor: float) -> torch.Tensor:
    """``tanh(distance / scale_factor)`` as float32 (``inf`` maps to 1).

    The division is done in float32 by ``float32(scale_factor)`` as in
    ``_distances.normalised`` (in float64 for float64 input). The division
    matches numpy exactly, but torch's float32 ``tanh`` may differ from
    numpy's by 1 ulp, so the two agree to within 2 ulp (relative 1e-6).

    Args:
        distances: float32 (or float64) distances.
        scale_factor: World distance that maps to ``tanh(1)``.

    Raises:
        ConfigError: If ``distances`` is no tensor or ``scale_factor`` is not
            a positive number.
    """
    _check_tensor("normalised_torch", "distances", distances)
    check_number("normalised_torch", "scale_factor", scale_factor, 0, strict=True)
    dtype = torch.float64 if distances.dtype == torch.float64 else torch.float32
    # a 0-d tensor on the same device: CUDA turns division by a host scalar
    # into multiplication by its reciprocal, which may round differently
    scale = torch.tensor(scale_factor, dtype=torch.float32, device=distances.device)
    scaled = distances.to(dtype) / scale.to(dtype)
    return torch.tanh(scaled).to(torch.float32)


def unseen_distances_torch(known: torch.Tensor, voxel_size: Sequence[float]) -> torch.Tensor:
    """World-unit distance from each voxel centre to the nearest face of an
    unknown voxel (``known == 0``) or of the array's border; 0 on unknown
    voxels. Equals ``_distances.unseen_distances``.

    A mask known everywhere (checked with one host synchronisation) with
    whole-number voxel sizes takes the shortcut of distances to the border,
    which equal the general transform bit for bit.

    Args:
        known: Mask of any dtype, non-zero where the ground truth is known.
        voxel_size: World size of a voxel along each axis.

    Returns:
        float32 distances of the mask's shape, on its device.

    Raises:
        ConfigError: If ``known`` is no tensor, or ``voxel_size`` does not
            hold one positive number per axis.
    """
    _checked_spacing("unseen_distances_torch", known, voxel_size, "known")
    inside = known != 0
    if known.numel() and _whole_voxels(voxel_size) and bool(inside.all()):
        return _border_distances_torch(known.shape, voxel_size, known.device).clone()
    padded = torch.zeros(
        tuple(n + 2 for n in known.shape), dtype=torch.bool, device=known.device
    )
    inner = (slice(1, -1),) * known.ndim
    padded[inner] = inside
    distances = signed_distances_torch(padded, voxel_size)
    return torch.clamp(distances[inner], min=0)


def _border_distances_torch(
    shape: Sequence[int], voxel_size: Sequence[float], device: torch.device
) -> torch.Tensor:
    """Distance to the nearest face of the array's border, ``(k + 1/2) *
    voxel`` along the axis of the nearest one, ``k`` voxels from it (kept for
    the next batch of that shape: not to be changed in place)."""
    key = (tuple(int(n) for n in shape), tuple(float(v) for v in voxel_size), str(device))
    if key not in _BORDER_CACHE:
        if len(_BORDER_CACHE) >= 4:
            _BORDER_CACHE.pop(next(iter(_BORDER_CACHE)))
        _BORDER_CACHE[key] = _border_distances(shape, voxel_size, device)
    return _BORDER_CACHE[key]


#: border distances by (shape, voxel size, device): every batch of a run has the same
_BORDER_CACHE: Dict[Tuple[Any, ...], torch.Tensor] = {}


def _border_distances(
    shape: Sequence[int], voxel_size: Sequence[float], device: torch.device
) -> torch.Tensor:
    nearest = torch.full(tuple(shape), torch.inf, dtype=torch.float32, device=device)
    for axis, (n, v) in enumerate(zip(shape, voxel_size)):
        index = torch.arange(n, device=device, dtype=torch.float64)
        steps = torch.minimum(index, index.flip(0))
        along = ((steps + 0.5) * float(v)).to(torch.float32)
        view = [n if a == axis else 1 for a in range(len(shape))]
        nearest = torch.minimum(nearest, along.reshape(view), out=nearest)
    return nearest


def distance_mask_torch(
    normalised_target: torch.Tensor, unseen: torch.Tensor, scale_factor: float
) -> torch.Tensor:
    """1 where a normalised distance can be trusted, 0 where an unseen region
    might hold a closer boundary (float32); equals ``_distances.distance_mask``
    (up to the 1 ulp that ``tanh`` may differ by, see ``normalised_torch``).

    Args:
        normalised_target: Normalised (tanh) signed distances.
        unseen: ``unseen_distances_torch`` of the known mask.
        scale_factor: The scale the target was normalised with.
    """
    _check_tensor("distance_mask_torch", "normalised_target", normalised_target)
    _check_tensor("distance_mask_torch", "unseen", unseen)
    check_number("distance_mask_torch", "scale_factor", scale_factor, 0, strict=True)
    bound = normalised_torch(unseen, scale_factor)
    trusted = (normalised_target.abs() <= bound + 1e-6) | (bound >= SATURATION)
    return trusted.to(torch.float32)
