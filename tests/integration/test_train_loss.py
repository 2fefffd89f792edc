"""Training really learns: 200 iterations of a small 2D U-Net on synthetic data
halve the loss (mean of the last 10 iterations against the first 10) for the
distance, affinities and one-hot tasks. Run with ``-s`` to see the figures."""

import numpy as np
import pytest
import torch

from dacapo.experiments import Run, RunConfig
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits import SimpleDataSplitConfig
from dacapo.experiments.tasks.affinities_task_config import AffinitiesTaskConfig
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.tasks.one_hot_task_config import OneHotTaskConfig
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers.gp_augments import IntensityScaleShiftAugmentConfig
from dacapo.train import train_run
from dacapo.utils.synthetic import write_synthetic_container

pytestmark = pytest.mark.slow

ITERATIONS = 200

TASKS = {
    "distance": (
        "labels",
        DistanceTaskConfig(
            "cells", channels=["cell"], clip_distance=40.0, tol_distance=40.0, scale_factor=20.0
        ),
    ),
    "affinities": ("labels", AffinitiesTaskConfig("affs", neighborhood=[(1, 0), (0, 1)])),
    "one_hot": (
        "semantic",
        OneHotTaskConfig("classes", classes=["ecs", "membrane", "cytoplasm", "mito", "vesicle"]),
    ),
}


@pytest.fixture(scope="module")
def container(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "synthetic.zarr"
    return write_synthetic_container(
        path, train_crops=1, validate_crops=1, shape=(256, 256), voxel_size=(8, 8)
    )


@pytest.fixture
def one_torch_thread():
    """The data worker has the other core; two torch threads would fight it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


#: the distance task again, its targets computed by the training device (here the CPU)
ON_DEVICE = "distance_targets_on_device"


def run_config(name, task_config, gt_name, container, targets_on_device=None):
    return RunConfig(
        task_config=task_config,
        architecture_config=CNNectomeUNetConfig(
            "unet", input_shape=(132, 132), fmaps_out=8, fmaps_in=1, num_fmaps=8,
            fmap_inc_factor=2, downsample_factors=[(2, 2), (2, 2)], batch_norm=True,
        ),
        trainer_config=GunpowderTrainerConfig(
            "gp", 2, 1e-2, num_data_fetchers=1,  # batches of 2 learn well within 200 steps
            augments=[IntensityScaleShiftAugmentConfig(scale=2.0, shift=-1.0)],  # to [-1, 1]
            warmup_iterations=20, targets_on_device=targets_on_device,
        ),
        datasplit_config=SimpleDataSplitConfig("split", container, gt_name=gt_name),
        name=name,
        repetition=0,
        num_iterations=ITERATIONS,
        validation_interval=100,
    )


@pytest.mark.parametrize("kind", sorted(TASKS) + [ON_DEVICE])
def test_training_halves_the_loss(runs_base_dir, container, one_torch_thread, kind):
    torch.manual_seed(0)
    on_device = kind == ON_DEVICE
    gt_name, task_config = TASKS["distance" if on_device else kind]
    run = Run(run_config(f"loss_{kind}", task_config, gt_name, container,
                         targets_on_device=True if on_device else None))
    train_run(run, do_validate=False)
    losses = [s.loss for s in run.training_stats.iteration_stats]
    assert [s.iteration for s in run.training_stats.iteration_stats] == list(range(ITERATIONS))
    first, last = np.mean(losses[:10]), np.mean(losses[-10:])
    print(f"\n{kind}: mean loss of the first 10 iterations {first:.4f}, "
          f"of the last 10 {last:.4f} (ratio {last / first:.2f})")
    assert last <= 0.5 * first
