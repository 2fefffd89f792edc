"""One small, openable example per registered ``ArrayConfig`` class.

``EXAMPLES`` maps a class name to ``build(tmp_path) -> config``. Every
concrete registered array config needs an entry here, or the array contract
suite (``test_array_configs.py``) fails for it. Examples use voxel sizes
above 1 on at least one axis so that unaligned ROIs exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    BinarizeArrayConfig,
    ConcatArrayConfig,
    ConstantArrayConfig,
    CropArrayConfig,
    DummyArrayConfig,
    DVIDArrayConfig,
    IntensitiesArrayConfig,
    LogicalOrArrayConfig,
    MergeInstancesArrayConfig,
    MissingAnnotationsMaskConfig,
    OnesArrayConfig,
    ResampledArrayConfig,
    SumArrayConfig,
    TiffArrayConfig,
    ZarrArrayConfig,
)

VOXEL_SIZE = (4, 2, 2)
OFFSET = (8, 0, 2)


def _dataset(tmp_path: Path, name: str) -> ZarrArrayConfig:
    """A zarr dataset in ``tmp_path/examples.zarr``: ``labels`` (uint16 ids),
    ``labels2`` (more ids), ``raw`` (uint8) or ``multi`` (float32, 2 channels)."""
    import zarr

    rng = np.random.default_rng(len(name))
    data = {
        "labels": lambda: rng.integers(0, 4, (4, 6, 6)).astype(np.uint16),
        "labels2": lambda: rng.integers(0, 3, (4, 6, 6)).astype(np.uint16),
        "raw": lambda: rng.integers(0, 256, (4, 6, 6)).astype(np.uint8),
        "multi": lambda: rng.random((2, 4, 6, 6)).astype(np.float32),
    }[name]()
    container = tmp_path / "examples.zarr"
    root = zarr.open_group(str(container), mode="a")
    if name not in root:
        array = root.create_dataset(name, data=data, chunks=(2,) * data.ndim)
        array.attrs.update(
            resolution=list(VOXEL_SIZE), offset=list(OFFSET),
            axes=["c"] * (data.ndim - 3) + ["z", "y", "x"],
        )
    return ZarrArrayConfig(name=f"example_{name}", file_name=container, dataset=name)


def _tiff(tmp_path: Path) -> TiffArrayConfig:
    import tifffile

    path = tmp_path / "example.tif"
    data = np.arange(4 * 5 * 6, dtype=np.uint16).reshape(4, 5, 6)
    tifffile.imwrite(str(path), data, photometric="minisblack")
    return TiffArrayConfig(
        name="example_tiff", file_name=path, offset=Coordinate(0, 0, 0),
        voxel_size=Coordinate(3, 2, 2), axis_names=["z", "y", "x"], units=["nm"] * 3,
    )


def _concat(tmp_path: Path) -> ConcatArrayConfig:
    return ConcatArrayConfig(
        name="example_concat", channels=["raw", "absent", "labels"],
        source_array_configs={"labels": _dataset(tmp_path, "labels"),
                              "raw": _dataset(tmp_path, "raw")},
        default_config=ConstantArrayConfig("example_default", _dataset(tmp_path, "raw"), 3),
    )


EXAMPLES: Dict[str, Callable[[Path], ArrayConfig]] = {
    "ZarrArrayConfig": lambda p: _dataset(p, "labels"),
    "TiffArrayConfig": _tiff,
    "DVIDArrayConfig": lambda p: DVIDArrayConfig(
        name="example_dvid", source=("http://localhost:1", "a1b2c3", "grayscale")
    ),
    "DummyArrayConfig": lambda p: DummyArrayConfig(name="example_dummy"),
    "BinarizeArrayConfig": lambda p: BinarizeArrayConfig(
        "example_binarize", _dataset(p, "labels"), [("one", [1]), ("two_three", [2, 3]),
                                                    ("any", [])]
    ),
    "ConcatArrayConfig": _concat,
    "ConstantArrayConfig": lambda p: ConstantArrayConfig(
        "example_constant", _dataset(p, "multi"), constant=5
    ),
    "CropArrayConfig": lambda p: CropArrayConfig(
        "example_crop", _dataset(p, "raw"), Roi((12, 2, 0), (100, 8, 8))
    ),
    "IntensitiesArrayConfig": lambda p: IntensitiesArrayConfig(
        "example_intensities", _dataset(p, "raw"), min=0.0, max=255.0
    ),
    "LogicalOrArrayConfig": lambda p: LogicalOrArrayConfig(
        "example_or", EXAMPLES["BinarizeArrayConfig"](p)
    ),
    "MergeInstancesArrayConfig": lambda p: MergeInstancesArrayConfig(
        "example_merge", [_dataset(p, "labels"), _dataset(p, "labels2")]
    ),
    "MissingAnnotationsMaskConfig": lambda p: MissingAnnotationsMaskConfig(
        "example_missing", _dataset(p, "labels"), [("one", [1]), ("two", [2])]
    ),
    "OnesArrayConfig": lambda p: OnesArrayConfig("example_ones", _dataset(p, "raw")),
    "ResampledArrayConfig": lambda p: ResampledArrayConfig(
        "example_resampled", _dataset(p, "multi"), upsample=Coordinate(2, 1, 1),
        downsample=Coordinate(1, 2, 2), interp_order=1,
    ),
    "SumArrayConfig": lambda p: SumArrayConfig(
        "example_sum", [_dataset(p, "labels"), _dataset(p, "labels2")]
    ),
}
