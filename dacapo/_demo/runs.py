"""The demo's two runs: their configs, training and validation.

Both train a small valid-padded 3D U-Net (44³ voxels in, 28³ out; up to 144³
in when predicting) with batch normalisation on the crops of ``data.zarr``:

- ``demo_mito``: signed distances to the mitochondria (``DistanceTaskConfig``),
  thresholded into a mask, scored by F1, dice and VOI;
- ``demo_cells``: affinities of the cells (``AffinitiesTaskConfig``, to the
  six neighbours and 4 voxels away), segmented by mutex watershed, scored by
  VOI, adapted Rand error and instance F1.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict

from .layout import CELLS_RUN, MITO_RUN, DemoLayout
from .settings import DemoSettings

if TYPE_CHECKING:
    from dacapo.experiments.run_config import RunConfig

logger = logging.getLogger(__name__)

__all__ = ["RUNS", "run_configs", "ensure_trained"]

#: run name -> (ground truth array, validation criterion that picks the best)
RUNS: Dict[str, Any] = {
    MITO_RUN: ("mito", "mito__f1_score"),
    CELLS_RUN: ("cells", "adapted_rand_error"),
}
#: run name -> the validation criteria its plot shows
PLOTTED: Dict[str, Any] = {
    MITO_RUN: ("mito__f1_score", "mito__dice", "mito__voi"),
    CELLS_RUN: ("adapted_rand_error", "voi", "instance_f1"),
}
#: voxel offsets of the affinities: the six face neighbours, and 4 voxels away.
#: With both directions, a voxel at a cell's boundary has an edge into its
#: cell among its own channels, so the watershed keeps it (it makes objects
#: whose own edges are weak background)
NEIGHBORHOOD = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (-1, 0, 0), (0, -1, 0), (0, 0, -1),
                (4, 0, 0), (0, 4, 0), (0, 0, 4)]
BATCH_SIZE, LEARNING_RATE, WARMUP = 2, 5e-3, 20
#: objects of fewer voxels are fragments (at cell boundaries, where the
#: watershed leaves single voxels) and join the cells around them
MIN_OBJECT_SIZE = 50
#: the seed of each run's initial weights and batch pipeline: on one machine,
#: the demo trains the same networks each time
SEEDS: Dict[str, int] = {MITO_RUN: 1, CELLS_RUN: 2}
#: voxels the U-Net reads around its output on each side, and its output size
CONTEXT, OUTPUT = 8, 28
#: the most voxels added to the input when predicting (blocks of 128³ voxels)
MAX_EVAL_INCREASE = 100


def run_configs(layout: DemoLayout, settings: DemoSettings) -> Dict[str, "RunConfig"]:
    """The configs of the demo's runs, by name."""
    from dacapo.experiments.tasks import AffinitiesTaskConfig
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig

    # (its fields come from shared field factories, which mypy's attrs plugin does not see)
    mito = DistanceTaskConfig(  # type: ignore[call-arg]
        f"{MITO_RUN}_task", channels=["mito"], clip_distance=40.0, tol_distance=40.0,
        scale_factor=40.0, mask_distances=False,
    )
    # nearly unweighted affinities: balancing the classes pushes the edges at
    # cell boundaries towards "cut", and the watershed makes the voxels there
    # background, which inside a cell is the error adapted Rand punishes most
    cells = AffinitiesTaskConfig(  # type: ignore[call-arg]
        f"{CELLS_RUN}_task", neighborhood=NEIGHBORHOOD,
        affs_weight_clipmin=0.45, affs_weight_clipmax=0.55, min_object_size=MIN_OBJECT_SIZE,
    )
    return {
        MITO_RUN: _run_config(MITO_RUN, mito, layout, settings),
        CELLS_RUN: _run_config(CELLS_RUN, cells, layout, settings),
    }


def _run_config(name: str, task: Any, layout: DemoLayout, settings: DemoSettings):
    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.run_config import RunConfig
    from dacapo.experiments.trainers import GunpowderTrainerConfig

    gt_name, _criterion = RUNS[name]
    return RunConfig(
        task_config=task,
        architecture_config=CNNectomeUNetConfig(
            f"{name}_unet", input_shape=(44, 44, 44),
            eval_shape_increase=(eval_increase(settings.volume_size),) * 3,
            fmaps_out=8, fmaps_in=1, num_fmaps=8, fmap_inc_factor=2,
            downsample_factors=[(2, 2, 2)], batch_norm=True,
        ),
        trainer_config=GunpowderTrainerConfig(
            f"{name}_trainer", BATCH_SIZE, LEARNING_RATE, num_data_fetchers=0,
            sample_strategy="anywhere", min_masked=None, warmup_iterations=WARMUP,
            random_seed=SEEDS[name],
        ),
        datasplit_config=SimpleDataSplitConfig(f"{name}_data", layout.data, gt_name=gt_name),
        name=name, repetition=0, num_iterations=settings.iterations,
        validation_interval=settings.interval,
    )


def eval_increase(volume_size: int) -> int:
    """Voxels added to the U-Net's 44³ input when predicting: at most 100 (144³
    in, 128³ out: the 256³ volume is 8 blocks), less for volumes whose output
    (``volume_size - 16`` a side) is smaller.

    >>> eval_increase(256), eval_increase(64), eval_increase(48)
    (100, 20, 4)
    """
    return max(0, min(MAX_EVAL_INCREASE, (volume_size - 2 * CONTEXT - OUTPUT) // 4 * 4))


def ensure_trained(config: "RunConfig") -> None:
    """Stores ``config`` and trains the run (returning at once when it is
    trained); validates its last iteration if that was never validated (a
    run interrupted during its last validation)."""
    from dacapo.store.create_store import create_config_store, create_stats_store
    from dacapo.train import train
    from dacapo.validate import validate

    create_config_store().store_run_config(config)
    _seed(SEEDS.get(config.name, 0))
    train(config.name)
    validated = {
        scores.iteration
        for scores in create_stats_store().retrieve_validation_iteration_scores(config.name)
    }
    if config.num_iterations not in validated:
        logger.info("run %r: validating its last iteration %d", config.name,
                    config.num_iterations)
        validate(config.name, config.num_iterations)


def _seed(seed: int) -> None:
    """Seeds the initial weights."""
    import torch

    torch.manual_seed(seed)
