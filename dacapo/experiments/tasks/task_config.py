"""Base class of task configs."""

from __future__ import annotations

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class TaskConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="task_type", abstract=True
):
    """Describes what to predict; ``task_type(config)`` builds predictor, loss,
    post-processor and evaluator."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this task, used to store its config."}
    )
