"""Counter-based random numbers for the synthetic volumes.

Every random value is a hash of (seed, stream, integer position), so any
block of a volume can be generated on its own and agrees with its
neighbours. All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_AXIS_PRIMES = (
    np.uint64(0x8CB92BA72F3D8DD7),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xA0761D6478BD642F),
)
_U53 = 1.0 / float(1 << 53)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a well-mixed uint64 hash of each element."""
    z = np.asarray(x, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def stream_key(seed: int, stream: int) -> np.ndarray:
    """A 1-element uint64 key for one named random stream of ``seed``."""
    key = splitmix64(np.array([seed], dtype=np.uint64))
    return splitmix64(key ^ np.array([stream], dtype=np.uint64))


def hash_grid(key: np.ndarray, coords: Sequence[np.ndarray]) -> np.ndarray:
    """Hashes of integer positions; ``coords`` broadcast against each other."""
    with np.errstate(over="ignore"):
        total = np.zeros((), dtype=np.uint64) + key[0]
        for prime, coord in zip(_AXIS_PRIMES, coords):
            total = total + np.asarray(coord, dtype=np.int64).view(np.uint64) * prime
        return splitmix64(total)


def uniform_grid(key: np.ndarray, coords: Sequence[np.ndarray]) -> np.ndarray:
    """Uniform float64 values in [0, 1), one per (broadcast) integer position."""
    return (hash_grid(key, coords) >> np.uint64(11)).astype(np.float64) * _U53


def normal_grid(key: np.ndarray, coords: Sequence[np.ndarray]) -> np.ndarray:
    """Approximately standard-normal float32 values (sum of four 16-bit uniforms)."""
    bits = hash_grid(key, coords)
    mask = np.uint64(0xFFFF)
    total = (bits & mask).astype(np.float32)
    for shift in (16, 32, 48):
        total += ((bits >> np.uint64(shift)) & mask).astype(np.float32)
    # four uniforms on [0, 65536): mean 131070, std 65536 / sqrt(3)
    total -= np.float32(131070.0)
    total *= np.float32(np.sqrt(3.0) / 65536.0)
    return total


def axis_coords(start: Sequence[int], stop: Sequence[int]) -> tuple[np.ndarray, ...]:
    """Open-mesh integer voxel coordinates of the box ``[start, stop)``."""
    return tuple(np.arange(a, b, dtype=np.int64) for a, b in zip(start, stop))


def value_noise(
    key: np.ndarray, start: Sequence[int], stop: Sequence[int], spacing: float
) -> np.ndarray:
    """Smooth noise in [-1, 1] on the box ``[start, stop)`` (float32).

    Random values sit on a lattice with ``spacing`` voxels between nodes and
    are interpolated separably with smoothstep weights.
    """
    ndim = len(start)
    lo = [int(np.floor(a / spacing)) for a in start]
    hi = [int(np.floor((b - 1) / spacing)) + 2 for b in stop]
    lattice = [
        np.arange(a, b).reshape([-1 if i == k else 1 for i in range(ndim)])
        for k, (a, b) in enumerate(zip(lo, hi))
    ]
    values = (uniform_grid(key, lattice) * 2.0 - 1.0).astype(np.float32)
    for axis in range(ndim):
        position = np.arange(start[axis], stop[axis]) / spacing
        cell = np.floor(position)
        frac = (position - cell).astype(np.float32)
        weight = frac * frac * (3.0 - 2.0 * frac)
        index = cell.astype(np.int64) - lo[axis]
        shape = [-1 if i == axis else 1 for i in range(ndim)]
        weight = weight.reshape(shape)
        below = np.take(values, index, axis=axis)
        above = np.take(values, index + 1, axis=axis)
        values = below + (above - below) * weight
    return values
