"""Config of ``DummyTask``, a task for tests and demos."""

from __future__ import annotations

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_int, check_number

from .task_config import TaskConfig


@attr.s
class DummyTaskConfig(TaskConfig):
    """Predicts zero embeddings and scores them with cheap dummy metrics."""

    task_type = runtime_type(".dummy_task.DummyTask")

    embedding_dims: int = attr.ib(
        default=2, metadata={"help_text": "Number of channels of the predicted embedding."}
    )
    detection_threshold: float = attr.ib(
        default=0.7, metadata={"help_text": "Threshold of the dummy post-processor."}
    )

    def check_values(self) -> None:
        owner = f"DummyTaskConfig {self.name!r}"
        check_int(owner, "embedding_dims", self.embedding_dims, 1)
        check_number(owner, "detection_threshold", self.detection_threshold, 0)
