"""Tiny runs with validation data, shared by the validation tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dacapo.experiments import RunConfig
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits import SimpleDataSplitConfig
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.utils.synthetic import write_synthetic_container

#: the name of the validation crop of the synthetic container
DATASET = "crop0"
DICE, F1, VOI = "cell__dice", "cell__f1_score", "cell__voi"


def synthetic_container(tmp_path: Path, shape=(48, 48)) -> Path:
    """One training and one validation crop, 2D, voxel size 4."""
    return write_synthetic_container(
        tmp_path / "data.zarr", train_crops=1, validate_crops=1, shape=shape, voxel_size=(4, 4)
    )


def distance_run_config(
    container: Path, name: str = "val", num_iterations: int = 20, validation_interval: int = 10
) -> RunConfig:
    """A distance task on a tiny valid-padded 2D U-Net (context 4 voxels a side)."""
    return RunConfig(
        task_config=DistanceTaskConfig(
            "cells", channels=["cell"], clip_distance=8.0, tol_distance=8.0, scale_factor=8.0,
            mask_distances=False,
        ),
        architecture_config=CNNectomeUNetConfig(
            "unet", input_shape=(20, 20), fmaps_out=4, fmaps_in=1, num_fmaps=4,
            fmap_inc_factor=2, downsample_factors=[],
        ),
        trainer_config=GunpowderTrainerConfig("gp", 2, 1e-2, num_data_fetchers=0),
        datasplit_config=SimpleDataSplitConfig("split", container),
        name=name,
        repetition=0,
        num_iterations=num_iterations,
        validation_interval=validation_interval,
    )


def tiny_3d_run_config(tmp_path: Path, name: str = "tiny") -> RunConfig:
    """A distance task on a tiny valid 3D U-Net (28³ voxels in, 12³ out); its
    datasplit is never opened (prediction only)."""
    return RunConfig(
        task_config=DistanceTaskConfig("cells", channels=["cell"], clip_distance=8.0,
                                       tol_distance=8.0, scale_factor=8.0),
        architecture_config=CNNectomeUNetConfig(
            "unet", input_shape=(28, 28, 28), fmaps_out=4, fmaps_in=1, num_fmaps=4,
            fmap_inc_factor=2, downsample_factors=[(2, 2, 2)],
        ),
        trainer_config=GunpowderTrainerConfig("gp", 2, 1e-2, num_data_fetchers=0),
        datasplit_config=SimpleDataSplitConfig("split", tmp_path / "unused.zarr"),
        name=name, repetition=0, num_iterations=10, validation_interval=10,
    )

def membrane_container(tmp_path: Path, shape=(64, 64), seeds=(1, 2)) -> Path:
    """Synthetic 2D crops whose ground truth is the membranes (about a fifth of
    the voxels), so that thresholds, not "everything is foreground", decide the
    dice: ``train/crop0`` and ``test/crop0`` with ``raw`` and ``labels``."""
    import zarr

    from dacapo.utils.synthetic import CLASS_NAMES, generate_volume

    membrane = next(i for i, name in CLASS_NAMES.items() if name == "membrane")
    root = zarr.open_group(str(tmp_path / "membranes.zarr"), mode="w")
    for group, seed in zip(("train", "test"), seeds):
        volume = generate_volume(shape, seed=seed, voxel_size=(4, 4))
        crop = root.require_group(f"{group}/{DATASET}")
        for name, data in (("raw", volume.raw), ("labels", volume.semantic == membrane)):
            array = crop.create_dataset(name, data=data.astype(np.uint8), chunks=shape)
            array.attrs.update(resolution=[4, 4], offset=[0, 0], axes=["y", "x"])
    return tmp_path / "membranes.zarr"
