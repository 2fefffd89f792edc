"""The config of a run: task, architecture, trainer and datasplit together."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments.architectures.architecture_config import ArchitectureConfig
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from dacapo.experiments.starts.start_config import StartConfig
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig


@attr.s
class RunConfig(RegisteredConfig, registry_root=True):
    """Everything needed to train one model: ``Run(run_config)`` builds it."""

    task_config: TaskConfig = attr.ib(metadata={"help_text": "What to predict."})
    architecture_config: ArchitectureConfig = attr.ib(
        metadata={"help_text": "The network body."}
    )
    trainer_config: TrainerConfig = attr.ib(
        metadata={"help_text": "Batches, augmentations and optimisation settings."}
    )
    datasplit_config: DataSplitConfig = attr.ib(
        metadata={"help_text": "The training and validation datasets."}
    )
    name: str = attr.ib(metadata={"help_text": "A unique name for this run."})
    repetition: int = attr.ib(
        metadata={"help_text": "Index of this repetition of an otherwise identical run."}
    )
    num_iterations: int = attr.ib(metadata={"help_text": "Number of training iterations."})
    validation_interval: int = attr.ib(
        default=1000,
        metadata={"help_text": "Validate (and checkpoint) every this many iterations."},
    )
    start_config: Optional[StartConfig] = attr.ib(
        default=None, metadata={"help_text": "Start from another run's weights."}
    )

    def save_bioimage_io_model(
        self,
        path: Any,
        authors: Sequence[Any],
        cite: Optional[Sequence[Any]] = None,
        license: str = "MIT",
        input_test_image_path: Any = None,
        output_test_image_path: Any = None,
        checkpoint: Any = None,
        in_voxel_size: Optional[Sequence[int]] = None,
        test_saved_model: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Writes this run's model at ``checkpoint`` as a bioimage.io model package
        (a zip); see ``dacapo.bioimageio_export.save_bioimage_io_model``."""
        from dacapo.bioimageio_export import save_bioimage_io_model

        return save_bioimage_io_model(
            self, path, authors, cite, license, input_test_image_path,
            output_test_image_path, checkpoint, in_voxel_size, test_saved_model, **kwargs,
        )
