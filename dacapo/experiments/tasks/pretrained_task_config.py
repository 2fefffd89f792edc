"""Config of ``PretrainedTask``: another task whose model starts from stored weights."""

from __future__ import annotations

from pathlib import Path

import attr

from dacapo._build import runtime_type
from dacapo._checks import to_path
from dacapo.errors import ConfigError

from .task_config import TaskConfig


@attr.s
class PretrainedTaskConfig(TaskConfig):
    """Wraps ``sub_task_config``: same predictor, loss, post-processor and
    evaluator, but ``create_model`` loads ``weights`` into the new model."""

    task_type = runtime_type(".pretrained_task.PretrainedTask")

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    sub_task_config: TaskConfig = attr.ib(
        metadata={"help_text": "The task to run; its model gets the pretrained weights."}
    )
    weights: Path = attr.ib(
        converter=to_path,
        metadata={
            "help_text": "A torch checkpoint: a dict with the model's state dict under "
            "'model' (as DaCapo stores checkpoints), or the state dict itself."
        },
    )

    def check_values(self) -> None:
        if not isinstance(self.sub_task_config, TaskConfig):
            raise ConfigError(
                f"PretrainedTaskConfig {self.name!r}: sub_task_config must be a TaskConfig, "
                f"got {type(self.sub_task_config).__name__}"
            )
        self.sub_task_config.check_values()

    def validate(self) -> None:
        """The fields, the sub-task, and that the weights file exists."""
        super().validate()
        self.sub_task_config.validate()
        if not self.weights.is_file():
            raise ConfigError(
                f"PretrainedTaskConfig {self.name!r}: weights file {str(self.weights)!r} "
                "does not exist; give the path of a checkpoint saved with torch.save"
            )
