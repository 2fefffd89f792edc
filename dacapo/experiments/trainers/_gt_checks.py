"""Checks of the training ground truth: its dtype once per dataset, its values per sample."""

from __future__ import annotations

import gunpowder as gp
import numpy as np

from dacapo.experiments.tasks.predictors._gt_labels import require_no_negative_labels

__all__ = ["gt_where", "require_datasets_gt", "RefuseNegativeLabels"]


def gt_where(trainer_name: str, dataset, task) -> str:
    """Names the trainer, the dataset, its ground truth and the task, for messages."""
    return (
        f"GunpowderTrainer {trainer_name!r}: dataset {dataset.name!r} (ground truth "
        f"{dataset.gt.name!r}) for {type(task).__name__} ({type(task.predictor).__name__})"
    )


def require_datasets_gt(trainer_name: str, datasets, task) -> None:
    """``ConfigError`` when the dtype of a dataset's ground truth cannot hold what
    the task reads from it; datasets with ``trust_gt`` are taken as they are."""
    for dataset in datasets:
        if not getattr(dataset, "trust_gt", False):
            task.predictor.check_gt(dataset.gt, gt_where(trainer_name, dataset, task))


def needs_value_check(dataset, task) -> bool:
    """Whether samples of the dataset's ground truth could hold negative labels."""
    if task.predictor.gt_labels is None or getattr(dataset, "trust_gt", False):
        return False
    return np.dtype(dataset.gt.dtype).kind in "if"


class RefuseNegativeLabels(gp.BatchFilter):
    """Raises ``ConfigError`` (naming ``where``) when a sample of ``key`` holds a
    negative value; changes nothing. ``labels`` says what the values mean."""

    def __init__(self, key: gp.ArrayKey, labels: str, where: str):
        self.key = key
        self.labels = labels
        self.where = where

    def setup(self):
        self.enable_autoskip(False)  # it provides nothing, but must see every sample

    def process(self, batch, request):
        if self.key in batch:
            require_no_negative_labels(batch[self.key].data, self.labels, self.where)
        return gp.Batch()
