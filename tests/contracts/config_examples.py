"""Example configs for the contract suites: one small instance per config class.

``EXAMPLES`` maps the name of every registered concrete config class to a
callable ``build(tmp_path)`` returning an instance of it; array configs come
from ``array_examples.py``, which writes their tiny datasets. The store contract round-trips each
one and fails for a registered class without an entry: when you add a
config class, add an example here.

The ``_Store*Config`` classes are minimal configs of every stored kind; the
store suite uses them (``KIND_EXAMPLES``) to test the generic mechanism for
every kind, including nested polymorphic configs. They are test-only: they
are taken out of the registries at import and registered only while a test
that stores them runs (``registered(*STORE_CLASSES)`` or
``registered_fixture(*STORE_CLASSES)`` from ``tests/_registries.py``). They
are also ``abstract=True``, so suites iterating ``registry().concrete()``
would skip them even then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import attr
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.architectures import (
    CNNectomeUNetConfig,
    DummyArchitectureConfig,
    ModelZooConfig,
    WrappedArchitectureConfig,
)
from dacapo.experiments.architectures.architecture_config import ArchitectureConfig
from dacapo.experiments.datasplits import (
    DummyDataSplitConfig,
    SimpleDataSplitConfig,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets import DummyDatasetConfig, RawGTDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays.array_config import ArrayConfig
from dacapo.experiments.datasplits.datasets.dataset_config import DatasetConfig
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from dacapo.experiments.run_config import RunConfig
from dacapo.experiments.starts.cosem_start_config import CosemStartConfig
from dacapo.experiments.starts.start_config import StartConfig
from dacapo.experiments.tasks import (
    AffinitiesTaskConfig,
    DistanceTaskConfig,
    DummyTaskConfig,
    HotDistanceTaskConfig,
    InnerDistanceTaskConfig,
    OneHotTaskConfig,
    PretrainedTaskConfig,
)
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig, GunpowderTrainerConfig
from dacapo.experiments.trainers.gp_augments import SimpleAugmentConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig
from tests._registries import unregister
from tests.contracts.array_examples import EXAMPLES as ARRAY_EXAMPLES


@attr.s
class _StoreArrayConfig(ArrayConfig, abstract=True):
    """An array config with fields of the types the converter handles specially."""

    path: Path = attr.ib(default=Path("data/raw.zarr"))
    voxel_size: Coordinate = attr.ib(factory=lambda: Coordinate(4, 2, 2))
    roi: Optional[Roi] = attr.ib(default=None)
    channels: List[str] = attr.ib(factory=list)
    scale: float = attr.ib(default=1.0)


@attr.s
class _StoreDatasetConfig(DatasetConfig, abstract=True):
    """A dataset config holding a nested (polymorphic) array config."""

    raw_config: ArrayConfig = attr.ib(factory=lambda: _StoreArrayConfig("raw"))


@attr.s
class _StoreDataSplitConfig(DataSplitConfig, abstract=True):
    """A datasplit config holding a list of nested dataset configs."""

    train_configs: List[DatasetConfig] = attr.ib(factory=list)


@attr.s
class _StoreTaskConfig(TaskConfig, abstract=True):
    """A task config with one float parameter."""

    threshold: float = attr.ib(default=0.5)


@attr.s
class _StoreArchitectureConfig(ArchitectureConfig, abstract=True):
    """An architecture config with a list of ints."""

    fmaps: List[int] = attr.ib(factory=lambda: [12, 24])


@attr.s
class _StoreTrainerConfig(TrainerConfig, abstract=True):
    """A trainer config with only the base fields."""


STORE_CLASSES = (
    _StoreArrayConfig,
    _StoreDatasetConfig,
    _StoreDataSplitConfig,
    _StoreTaskConfig,
    _StoreArchitectureConfig,
    _StoreTrainerConfig,
)
unregister(*STORE_CLASSES)


def _array() -> _StoreArrayConfig:
    return _StoreArrayConfig(
        "raw",
        path=Path("/data/em.zarr"),
        voxel_size=Coordinate(8, 4, 4),
        roi=Roi((0, 8, 16), (80, 40, 40)),
        channels=["membrane", "mito"],
        scale=0.25,
    )


def _dataset() -> _StoreDatasetConfig:
    return _StoreDatasetConfig("crop_1", weight=2, raw_config=_array())


def _datasplit() -> _StoreDataSplitConfig:
    return _StoreDataSplitConfig("split", train_configs=[_dataset(), _StoreDatasetConfig("crop_2")])


def _run() -> RunConfig:
    return RunConfig(
        task_config=_StoreTaskConfig("task", threshold=0.25),
        architecture_config=_StoreArchitectureConfig("unet", fmaps=[6, 12, 24]),
        trainer_config=_StoreTrainerConfig("trainer", batch_size=2, learning_rate=1e-4),
        datasplit_config=_datasplit(),
        name="run_1",
        repetition=0,
        num_iterations=100,
        validation_interval=50,
        start_config=StartConfig("other_run", "voi"),
    )


# One example of every stored kind, built from the classes above.
KIND_EXAMPLES: Dict[str, Callable[[], Any]] = {
    "run": _run,
    "task": lambda: _StoreTaskConfig("task", threshold=0.75),
    "architecture": lambda: _StoreArchitectureConfig("unet"),
    "trainer": lambda: _StoreTrainerConfig("trainer", batch_size=4, learning_rate=0.01),
    "datasplit": _datasplit,
    "array": _array,
    "dataset": _dataset,
}

def _raw_gt(tmp_path: Path, name: str = "crop_1") -> RawGTDatasetConfig:
    return RawGTDatasetConfig(
        name,
        weight=2,
        raw_config=ARRAY_EXAMPLES["IntensitiesArrayConfig"](tmp_path),
        gt_config=ARRAY_EXAMPLES["ZarrArrayConfig"](tmp_path),
        mask_config=ARRAY_EXAMPLES["OnesArrayConfig"](tmp_path),
        sample_points=[Coordinate(12, 4, 6), Coordinate(16, 8, 8)],
    )


# Configs that are data only: their files need not exist to round-trip.
_DATA_EXAMPLES: Dict[str, Callable[[], Any]] = {
    "RunConfig": _run,
    "DummyDatasetConfig": lambda: DummyDatasetConfig("dummy_dataset"),
    "DummyArchitectureConfig": lambda: DummyArchitectureConfig("dummy_arch", 1, 2),
    "CNNectomeUNetConfig": lambda: CNNectomeUNetConfig(
        "unet",
        Coordinate(132, 132, 132),
        fmaps_out=12,
        fmaps_in=1,
        num_fmaps=12,
        fmap_inc_factor=6,
        downsample_factors=[Coordinate(2, 2, 2), Coordinate(3, 3, 3)],
        eval_shape_increase=Coordinate(72, 72, 72),
        upsample_factors=[Coordinate(2, 2, 2)],
        constant_upsample=True,
        padding="valid",
        use_attention=True,
        batch_norm=False,
    ),
    "WrappedArchitectureConfig": lambda: WrappedArchitectureConfig(
        "wrapped", Path("models/net.pt"), 1, 2, Coordinate(8, 8, 8), trainable_parameters="head.*"
    ),
    "ModelZooConfig": lambda: ModelZooConfig("zoo", "affable-shark"),
    "DummyDataSplitConfig": lambda: DummyDataSplitConfig("dummy_split"),
    "SimpleDataSplitConfig": lambda: SimpleDataSplitConfig(
        "simple_split", Path("data/synthetic.zarr"), validate_group_name="validate"
    ),
    # task configs
    "DummyTaskConfig": lambda: DummyTaskConfig("dummy_task", 3, 0.25),
    "DistanceTaskConfig": lambda: DistanceTaskConfig(
        "mito_distances", ["mito", "er"], 40.0, 10.0, scale_factor=50.0, mask_distances=False,
        clipmin=0.1, clipmax=0.9, loss="dice",
    ),
    "InnerDistanceTaskConfig": lambda: InnerDistanceTaskConfig(
        "cell_inner", ["cell"], 40.0, 10.0, 20.0
    ),
    "HotDistanceTaskConfig": lambda: HotDistanceTaskConfig(
        "mito_hot", ["mito"], 40.0, 10.0, 25.0, mask_distances=True, kernel_size=3
    ),
    "OneHotTaskConfig": lambda: OneHotTaskConfig(
        "semantic", ["background", "mito", "er"], kernel_size=1, loss="dice",
        clip_distance=80.0, tol_distance=8.0,
    ),
    "AffinitiesTaskConfig": lambda: AffinitiesTaskConfig(
        "affs", [Coordinate(1, 0, 0), Coordinate(0, 1, 0), Coordinate(0, 0, 1),
                 Coordinate(3, 0, 0)],
        lsds=True, num_lsd_voxels=5, downsample_lsds=2, lsds_to_affs_weight_ratio=0.5,
        affs_weight_clipmin=0.1, lsd_weight_clipmax=0.8, background_as_object=True,
        grow_boundary_iterations=1,
    ),
    "PretrainedTaskConfig": lambda: PretrainedTaskConfig(
        "finetune", DistanceTaskConfig("base", ["mito"], 40.0, 10.0), Path("weights/best.pt")
    ),
    "StartConfig": lambda: StartConfig("other_run", "1000"),
    "CosemStartConfig": lambda: CosemStartConfig(
        "setup04",
        "1820500",
        weights_file=Path("pretrained/setup04_1820500.pt"),
        channels=["ecs", "pm", "mito"],
    ),
    # trainer configs
    "DummyTrainerConfig": lambda: DummyTrainerConfig("dummy_trainer", 2, 1e-4, True),
    "GunpowderTrainerConfig": lambda: GunpowderTrainerConfig(
        "gp_trainer", 4, 5e-5, 3, [SimpleAugmentConfig(mirror_only=[1, 2])], 500, 0.25, True,
        sample_strategy="integral_mask", mixed_precision=True, warmup_iterations=200,
    ),
}

# Registered concrete config class name -> ``build(tmp_path)``. Array configs
# (and configs holding them) write tiny openable datasets into ``tmp_path``.
EXAMPLES: Dict[str, Callable[[Path], Any]] = {
    **{name: (lambda tmp_path, f=factory: f()) for name, factory in _DATA_EXAMPLES.items()},
    **ARRAY_EXAMPLES,
    "RawGTDatasetConfig": _raw_gt,
    "TrainValidateDataSplitConfig": lambda tmp_path: TrainValidateDataSplitConfig(
        "split", train_configs=[_raw_gt(tmp_path)], validate_configs=[_raw_gt(tmp_path, "crop_2")]
    ),
}
