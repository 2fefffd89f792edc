"""Deterministic synthetic EM-like volumes for the demo, the tests and the benchmarks.

A volume is a space-filling tissue of membrane-bounded cells (warped Voronoi
regions of one jittered seed per cube of ``cell_size`` voxels), some of which
are extracellular space. Cells may hold a mitochondrion-like spheroid and a
vesicle-like sphere. Intensities look like heavy-metal stained EM: dark
membranes, mid-grey cytoplasm with low-frequency shading and grain, light
extracellular space, organelles with a dark rim (mitochondria dark inside,
vesicles bright inside), a slight blur and Gaussian plus Poisson-like noise.

Every voxel is a pure function of ``seed`` and its position, so the same seed
gives identical bytes, and a volume is rendered block by block (slabs of about
4 M voxels, each with a halo of context) with results identical to rendering
it in one piece. ``generate_volume`` returns in-memory arrays: memory is about
11 bytes per voxel of the volume plus the temporaries of one block (a few
hundred MB). ``write_synthetic_container`` streams the blocks to zarr, so its
memory is bounded by one slab of chunks, whatever the number of slabs.

Speed (measured on the 2-core Xeon development machine; numpy runs on one
core): a 256³ volume generates in about 9.5 s with 730 MB peak memory, and
``write_synthetic_container`` writes one 256³ crop in about 9.5 s.

Label conventions: ``labels`` holds instance ids, 0 on membranes and in
extracellular space; the cell in grid cube ``L`` has id ``3 L + 1``, its
mitochondrion ``3 L + 2`` and its vesicle ``3 L + 3``. ``semantic`` holds the
classes of ``CLASS_NAMES``; ``labels == 0`` exactly where ``semantic`` is 0
(background) or 1 (membrane). ``mask`` is 1 where annotated: all of it unless
``annotated_fraction`` < 1 leaves some cells (with their membranes and
organelles) unannotated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attr
import numpy as np
from funlib.geometry import Coordinate, Roi

from . import _synthetic_blocks as blocks
from ._synthetic_params import make_params, validate_seed, validate_shape, validate_world
from ._synthetic_structure import CLASS_NAMES
from ._synthetic_zarr import write_container

__all__ = [
    "CLASS_NAMES",
    "SyntheticVolume",
    "generate_volume",
    "write_synthetic_container",
]

# the volume's arrays and their data types
_DTYPES = {"raw": np.uint8, "labels": np.uint64, "semantic": np.uint8, "mask": np.uint8}


@attr.s(frozen=True, eq=False)
class SyntheticVolume:
    """A synthetic EM-like volume with its ground truth (arrays in (z,) y, x order)."""

    raw: np.ndarray = attr.ib(metadata={"help_text": "uint8 intensities."})
    labels: np.ndarray = attr.ib(
        metadata={
            "help_text": "uint64 instance ids; 0 = membrane or extracellular space."
        }
    )
    semantic: np.ndarray = attr.ib(
        metadata={"help_text": "uint8 class ids, see CLASS_NAMES."}
    )
    mask: np.ndarray = attr.ib(metadata={"help_text": "uint8, 1 where annotated."})
    sample_points: tuple[Coordinate, ...] = attr.ib(
        metadata={"help_text": "Object centres (organelles first) in world units."}
    )
    voxel_size: Coordinate = attr.ib(metadata={"help_text": "World units per voxel."})
    offset: Coordinate = attr.ib(
        metadata={"help_text": "World position of the first voxel."}
    )

    @property
    def roi(self) -> Roi:
        """The world region the arrays cover."""
        return Roi(self.offset, self.voxel_size * Coordinate(self.raw.shape))

    @property
    def axes(self) -> tuple[str, ...]:
        """Axis names, ``("z", "y", "x")`` or ``("y", "x")``."""
        return ("z", "y", "x")[-self.raw.ndim :]


def generate_volume(
    shape: Sequence[int],
    seed: int = 0,
    *,
    voxel_size: Sequence[int] | None = None,
    offset: Sequence[int] | None = None,
    **params,
) -> SyntheticVolume:
    """Generates a synthetic EM-like volume of ``shape`` voxels (2D or 3D).

    Args:
        shape: Voxels per axis, ``(z, y, x)`` or ``(y, x)``.
        seed: Any integer in [0, 2**64); the same seed gives the same volume.
        voxel_size: World units per voxel (default 1 per axis); scales
            ``sample_points`` and ``roi`` only.
        offset: World position of the first voxel (default 0), a multiple of
            ``voxel_size``.
        **params: Look of the tissue, lengths in voxels: ``cell_size`` (24),
            ``membrane_width`` (2), ``extracellular_fraction`` (0.1),
            ``mitochondria_probability`` (0.6), ``vesicle_probability`` (0.5)
            per cell, ``annotated_fraction`` (1.0) of cells in the mask,
            ``noise_std`` (8 grey levels), ``blur_sigma`` (1 voxel),
            ``num_sample_points`` (8).
    """
    shape = validate_shape(shape)
    seed = validate_seed(seed)
    voxel_size, offset = validate_world(shape, voxel_size, offset)
    settings = make_params(params)
    arrays = {name: np.empty(shape, dtype) for name, dtype in _DTYPES.items()}
    centres = []
    for z0, z1 in blocks.slabs(shape, 1):
        block = blocks.render_block(
            settings, seed, shape, (z0,) + (0,) * (len(shape) - 1), (z1,) + shape[1:]
        )
        for name, array in arrays.items():
            array[z0:z1] = getattr(block, name)
        centres.append(block.centres)
    points = blocks.sample_positions(centres, shape, settings.num_sample_points)
    return SyntheticVolume(
        sample_points=tuple(offset + voxel_size * Coordinate(p) for p in points),
        voxel_size=voxel_size,
        offset=offset,
        **arrays,
    )


def write_synthetic_container(
    path: str | Path,
    train_crops: int = 2,
    validate_crops: int = 1,
    shape: Sequence[int] = (64, 64, 64),
    voxel_size: Sequence[int] = (8, 8, 8),
    seed: int = 0,
    *,
    offset: Sequence[int] | None = None,
    train_group_name: str = "train",
    validate_group_name: str = "test",
    chunk_size: int = 64,
    overwrite: bool = False,
    **params,
) -> Path:
    """Writes synthetic crops as a zarr container laid out for ``SimpleDataSplitConfig``.

    The container holds ``<train_group_name>/crop<i>/{raw,labels,mask,semantic}``
    for ``train_crops`` crops and the same under ``<validate_group_name>`` for
    ``validate_crops`` crops. Each crop has its own seed derived from ``seed``;
    each dataset carries ``resolution``, ``offset`` (world units), ``axes`` and
    ``units``; each crop group carries ``sample_points`` (world units). The
    container is built next to ``path`` and moved into place when complete.

    Args:
        shape: Voxels per axis of every crop (2D or 3D).
        chunk_size: Voxels per axis of a zarr chunk; crops are generated one
            slab of chunks at a time.
        overwrite: Replace an existing zarr container at ``path``.
        **params: Look of the tissue, as for ``generate_volume``.
    """
    return write_container(
        Path(path),
        train_crops=train_crops,
        validate_crops=validate_crops,
        shape=shape,
        voxel_size=voxel_size,
        seed=seed,
        offset=offset,
        group_names=(train_group_name, validate_group_name),
        chunk_size=chunk_size,
        overwrite=overwrite,
        params=params,
    )
