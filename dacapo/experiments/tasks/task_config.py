"""Base class of task configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_field_types
from dacapo._registry import RegisteredConfig


@attr.s
class TaskConfig(
    RegisteredConfig, registry_root=True, runtime="task_type", abstract=True
):
    """Describes what to predict; ``task_type(config)`` builds predictor, loss,
    post-processor and evaluator."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this task, used to store its config."}
    )

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made
