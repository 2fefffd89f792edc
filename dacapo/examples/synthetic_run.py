"""A small 3D distance run on synthetic EM-like data, stored from the shell.

``python -m dacapo.examples.synthetic_run --name my_run`` writes
``<runs_base_dir>/<name>/data.zarr`` (training and validation crops laid out
for ``SimpleDataSplitConfig``) and stores the run config, so that
``dacapo train -r my_run``, ``dacapo validate``, ``dacapo predict`` and
``dacapo apply`` can be tried at once. Storing the same run again is a no-op.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

import click

logger = logging.getLogger(__name__)

__all__ = ["synthetic_run_config", "store_synthetic_run"]


def synthetic_run_config(name: str, container: Path, iterations: int = 100,
                         validation_interval: Optional[int] = None) -> Any:
    """The config of a distance task (cells) on a small valid-padded 3D U-Net."""
    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.run_config import RunConfig
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
    from dacapo.experiments.trainers import GunpowderTrainerConfig

    # (its fields come from shared field factories, which mypy's attrs plugin
    # does not see)
    task = DistanceTaskConfig(  # type: ignore[call-arg]
        f"{name}_task", channels=["cell"], clip_distance=40.0, tol_distance=40.0,
        scale_factor=80.0,
    )
    return RunConfig(
        task_config=task,
        architecture_config=CNNectomeUNetConfig(
            f"{name}_unet", input_shape=(44, 44, 44), fmaps_out=8, fmaps_in=1, num_fmaps=8,
            fmap_inc_factor=2, downsample_factors=[(2, 2, 2)],
        ),
        trainer_config=GunpowderTrainerConfig(f"{name}_trainer", 2, 1e-3,
                                              num_data_fetchers=0),
        datasplit_config=SimpleDataSplitConfig(f"{name}_data", container),
        name=name, repetition=0, num_iterations=iterations,
        validation_interval=validation_interval or iterations,
    )


def store_synthetic_run(name: str, iterations: int = 100, shape: int = 96) -> Any:
    """Writes the synthetic data (unless present) and stores the run config;
    returns it."""
    from dacapo.options import Options
    from dacapo.store.create_store import create_config_store
    from dacapo.utils.synthetic import write_synthetic_container

    container = Path(Options.instance().runs_base_dir) / name / "data.zarr"
    if not container.exists():
        logger.info("writing synthetic data to %s", container)
        write_synthetic_container(container, train_crops=1, validate_crops=1,
                                  shape=(shape,) * 3, voxel_size=(8, 8, 8))
    config = synthetic_run_config(name, container, iterations)
    create_config_store().store_run_config(config)
    return config


@click.command()
@click.option("-n", "--name", default="synthetic_run", show_default=True,
              help="Name of the run to store.")
@click.option("--iterations", type=click.IntRange(min=1), default=100, show_default=True,
              help="Training iterations (validation and a checkpoint at the end).")
@click.option("--shape", type=click.IntRange(min=80), default=96, show_default=True,
              help="Voxels per axis of each synthetic crop (one training, one validation).")
def main(name: str, iterations: int, shape: int) -> None:
    """Write synthetic data and store a small 3D distance run named NAME."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = store_synthetic_run(name, iterations, shape)
    container = config.datasplit_config.path
    click.echo(f"stored run {name!r}; its data: {container} "
               "(raw: test/crop0/raw, labels: test/crop0/labels)")


if __name__ == "__main__":
    main()
