"""Configs the rows P1, P2, P5 and P6 build through the public API both sides share
(ours and the upstream release), and the stored runs they need.

Each helper imports whichever ``dacapo`` the interpreter has.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence


def distance_task():
    """A distance task on the ``mito`` channel."""
    from dacapo.experiments.tasks import DistanceTaskConfig

    return DistanceTaskConfig("mito", channels=["mito"], clip_distance=40.0,
                              tol_distance=40.0, scale_factor=80.0)


def unet(input_size: int, num_fmaps: int, fmap_inc_factor: int, levels: int):
    """A valid 3D ``CNNectomeUNetConfig`` with ``levels`` (2,2,2) downsamplings."""
    from dacapo.experiments.architectures import CNNectomeUNetConfig

    return CNNectomeUNetConfig(
        "unet", input_shape=(input_size,) * 3, fmaps_out=num_fmaps, fmaps_in=1,
        num_fmaps=num_fmaps, fmap_inc_factor=fmap_inc_factor,
        downsample_factors=[(2, 2, 2)] * levels)


def tiny_unet():
    """28³ voxels in, 12³ out."""
    return unet(28, 4, 2, 1)


def crops(container: Path, names: Sequence[str]) -> List:
    """``RawGTDatasetConfig`` s of ``<name>/raw`` and ``<name>/mito`` of ``container``."""
    from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig
    from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig

    return [RawGTDatasetConfig(
        name, raw_config=ZarrArrayConfig(f"{name}_raw", container, f"{name}/raw"),
        gt_config=ZarrArrayConfig(f"{name}_mito", container, f"{name}/mito"))
        for name in names]


def datasplit(container: Path, train: Sequence[str], validate: Sequence[str] = ()):
    from dacapo.experiments.datasplits import TrainValidateDataSplitConfig

    return TrainValidateDataSplitConfig("bench", train_configs=crops(container, train),
                                        validate_configs=crops(container, validate))


def trainer(fetchers: int = 0):
    """The gunpowder trainer, batch size 2, no augments."""
    from dacapo.experiments.trainers import GunpowderTrainerConfig

    return GunpowderTrainerConfig("bench", batch_size=2, learning_rate=1e-4,
                                  num_data_fetchers=fetchers)


def augmented_trainer(fetchers: int = 0, device_share: bool = False):
    """The gunpowder trainer of P2, batch size 2: elastic augment (rotation up to 90°)
    and simple augment (mirror and transpose). With ``device_share`` (ours only)
    the augments and targets are left to the training device."""
    import math

    from dacapo.experiments.trainers import GunpowderTrainerConfig
    from dacapo.experiments.trainers.gp_augments import (
        ElasticAugmentConfig,
        SimpleAugmentConfig,
    )

    return GunpowderTrainerConfig(
        "bench", batch_size=2, learning_rate=1e-4, num_data_fetchers=fetchers,
        augments=[ElasticAugmentConfig(control_point_spacing=(10, 10, 10),
                                       control_point_displacement_sigma=(2.0, 2.0, 2.0),
                                       rotation_interval=(0.0, math.pi / 2)),
                  SimpleAugmentConfig()],
        **({"targets_on_device": True, "augments_on_device": True} if device_share else {}))


def store_run(name: str, architecture, split, checkpoint: int = 0, trainer_config=None,
              iterations: int = 10) -> None:
    """Stores a run config, and the weights of ``checkpoint`` if above 0 (only
    then is the run made: upstream's model makes a dry run at its input shape,
    about 20 s at P1's 188³). Without ``trainer_config``: ``trainer()``."""
    from dacapo.experiments import Run, RunConfig
    from dacapo.store.create_store import create_config_store, create_weights_store

    config = RunConfig(name=name, task_config=distance_task(),
                       architecture_config=architecture,
                       trainer_config=trainer_config or trainer(),
                       datasplit_config=split, repetition=0, num_iterations=iterations,
                       validation_interval=max(10, iterations))
    create_config_store().store_run_config(config)
    if checkpoint:
        create_weights_store().store_weights(Run(config), checkpoint)
