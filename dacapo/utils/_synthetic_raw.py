"""EM-like intensities for a rendered box of a synthetic volume."""

from __future__ import annotations

import numpy as np

from ._synthetic_noise import axis_coords, normal_grid, stream_key, value_noise
from ._synthetic_structure import (
    BACKGROUND,
    MEMBRANE,
    MITOCHONDRION,
    VESICLE,
    Structure,
)

S_SHADE, S_GRAIN, S_NOISE = 200, 210, 220

EXTRACELLULAR = 200.0
CYTOPLASM = 150.0
MEMBRANE_CORE, MEMBRANE_EDGE = 45.0, 95.0
ORGANELLE_RIM = {MITOCHONDRION: 65.0, VESICLE: 70.0}
ORGANELLE_INSIDE = {MITOCHONDRION: 110.0, VESICLE: 205.0}
RIM_WIDTH = 2.0  # voxels (Euclidean) of dark organelle boundary


def clean_image(params, seed, structure: Structure, start, stop) -> np.ndarray:
    """Noise-free intensities (float32) of the box [start, stop)."""
    size = params.cell_size
    image = value_noise(stream_key(seed, S_SHADE), start, stop, size / 2)
    image *= np.float32(12.0)
    grain = value_noise(stream_key(seed, S_GRAIN), start, stop, 3.0)
    grain *= np.float32(8.0)
    image += grain
    image += structure.table.brightness[structure.cell] * np.float32(10.0)
    image += np.float32(CYTOPLASM)
    semantic = structure.semantic
    image[semantic == BACKGROUND] = EXTRACELLULAR
    membrane = semantic == MEMBRANE
    depth = np.clip(
        structure.membrane_distance[membrane] / (params.membrane_width / 2), 0, 1
    )
    image[membrane] = MEMBRANE_CORE + (MEMBRANE_EDGE - MEMBRANE_CORE) * depth
    for kind in (MITOCHONDRION, VESICLE):
        inside = semantic == kind
        rim = inside & (structure.organelle_distance < RIM_WIDTH)
        image[inside] = ORGANELLE_INSIDE[kind] + 0.5 * (image[inside] - CYTOPLASM)
        image[rim] = ORGANELLE_RIM[kind]
    return image


def blur(params, image: np.ndarray) -> np.ndarray:
    """Gaussian blur reaching ``params.blur_radius`` voxels."""
    if params.blur_sigma == 0:
        return image
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(image, params.blur_sigma, truncate=3.0, mode="nearest")


def add_noise(params, seed, image: np.ndarray, start, stop) -> np.ndarray:
    """Gaussian plus Poisson-like (brightness-dependent) noise, as uint8."""
    if params.noise_std > 0:
        variance = np.maximum(image, 0) * np.float32(params.noise_std**2 / 128.0)
        variance += np.float32(params.noise_std**2)
        noise = normal_grid(
            stream_key(seed, S_NOISE), np.ix_(*axis_coords(start, stop))
        )
        noise *= np.sqrt(variance)
        image = image + noise
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)
