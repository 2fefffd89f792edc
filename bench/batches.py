"""Training batches per second of the gunpowder trainer.

Writes a synthetic container (or reuses ``--data``), builds the trainer of a
distance task with elastic and simple augmentation, and times ``--batches``
batches for each number of data fetchers (the first batch, which starts the
workers, is not timed). No model is trained: only batch making is measured.

    python bench/batches.py --shape 128 128 128 --batches 50
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", type=int, nargs="+", default=[128, 128, 128],
                        help="voxels per axis of each synthetic training crop (2 or 3 values)")
    parser.add_argument("--input-shape", type=int, nargs="+", default=None,
                        help="network input in voxels (default: 60 per axis)")
    parser.add_argument("--batches", type=int, default=50, help="batches timed per setting")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--fetchers", type=int, nargs="+", default=[1, 2],
                        help="numbers of data fetchers (worker processes) to time")
    parser.add_argument("--crops", type=int, default=2, help="training crops to write")
    parser.add_argument("--data", type=Path, default=None,
                        help="an existing synthetic container to reuse")
    return parser.parse_args(argv)


def make_parts(args, container):
    """Task, model and datasets for the benchmark."""
    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig

    dims = len(args.shape)
    task_config = DistanceTaskConfig(
        "cells", channels=["cell"], clip_distance=40.0, tol_distance=40.0, scale_factor=20.0
    )
    task = task_config.task_type(task_config)
    unet = CNNectomeUNetConfig(
        "unet", input_shape=tuple(args.input_shape or [60] * dims), fmaps_out=8, fmaps_in=1,
        num_fmaps=4, fmap_inc_factor=2, downsample_factors=[(2,) * dims],
    )
    model = task.create_model(unet.architecture_type(unet))
    split_config = SimpleDataSplitConfig("bench", container)
    datasets = split_config.datasplit_type(split_config).train
    return task, model, datasets


def trainer_for(args, fetchers: int):
    from dacapo.experiments.trainers import GunpowderTrainerConfig
    from dacapo.experiments.trainers.gp_augments import (
        ElasticAugmentConfig,
        SimpleAugmentConfig,
    )

    dims = len(args.shape)
    config = GunpowderTrainerConfig(
        "bench", args.batch_size, 1e-4, num_data_fetchers=fetchers,
        augments=[
            ElasticAugmentConfig(
                control_point_spacing=[10] * dims,
                control_point_displacement_sigma=[2.0] * dims,
                rotation_interval=(0.0, math.pi / 2),
            ),
            SimpleAugmentConfig(),
        ],
    )
    return config.trainer_type(config)


def batches_per_second(args, task, model, datasets, fetchers: int) -> float:
    trainer = trainer_for(args, fetchers)
    trainer.build_batch_provider(datasets, model, task)
    with trainer:
        trainer.next_batch()  # starts the workers
        start = time.perf_counter()
        for _ in range(args.batches):
            trainer.next_batch()
        return args.batches / (time.perf_counter() - start)


def main(argv=None) -> None:
    args = parse_args(argv)
    from dacapo.utils.synthetic import write_synthetic_container

    with tempfile.TemporaryDirectory() as tmp:
        container = args.data
        if container is None:
            container = write_synthetic_container(
                Path(tmp) / "bench.zarr", train_crops=args.crops, validate_crops=0,
                shape=args.shape, voxel_size=[8] * len(args.shape),
            )
        task, model, datasets = make_parts(args, container)
        print(f"crops {args.crops} x {tuple(args.shape)}, input {tuple(model.input_shape)}, "
              f"output {tuple(model.output_shape)}, batch size {args.batch_size}")
        for fetchers in args.fetchers:
            rate = batches_per_second(args, task, model, datasets, fetchers)
            print(f"{fetchers} fetcher(s): {rate:.2f} batches/s")


if __name__ == "__main__":
    main()
