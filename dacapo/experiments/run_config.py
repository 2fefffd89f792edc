"""The config of a run: task, architecture, trainer and datasplit together."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attr

from dacapo._checks import check_count, check_field_types, check_name, owner_of, to_int
from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig
from dacapo.experiments.architectures.architecture_config import ArchitectureConfig
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from dacapo.experiments.starts.start_config import StartConfig
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig


@attr.s
class RunConfig(CheckedConfig, RegisteredConfig, registry_root=True):
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
    name: str = attr.ib(
        validator=lambda run, _, value: check_name(owner_of(run), "name", value),
        metadata={"help_text": "A unique name for this run."},
    )
    repetition: int = attr.ib(
        converter=to_int,
        validator=lambda run, _, value: check_count(
            owner_of(run), "repetition", value, 0, example=0
        ),
        metadata={"help_text": "Index of this repetition of an otherwise identical run."},
    )
    num_iterations: int = attr.ib(
        converter=to_int,
        validator=lambda run, _, value: check_count(
            owner_of(run), "num_iterations", value, 1, example=100000
        ),
        metadata={"help_text": "Number of training iterations."},
    )
    validation_interval: int = attr.ib(
        default=1000,
        converter=to_int,
        validator=lambda run, _, value: check_count(
            owner_of(run), "validation_interval", value, 1, example=1000
        ),
        metadata={"help_text": "Validate (and checkpoint) every this many iterations."},
    )
    start_config: Optional[StartConfig] = attr.ib(
        default=None, metadata={"help_text": "Start from another run's weights."}
    )

    def validate(self) -> None:
        """Checks the run's own fields again (they may have been changed since it was
        made); the nested configs are checked when their objects are built."""
        attr.validate(self)
        check_field_types(self)
        super().validate()

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
