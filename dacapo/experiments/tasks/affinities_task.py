"""A task learning affinities for instance segmentation."""

from __future__ import annotations

from typing import List

from .evaluators.instance_evaluator import InstanceEvaluator
from .losses.affinities_loss import AffinitiesLoss
from .post_processors.watershed_post_processor import WatershedPostProcessor
from .predictors.affinities_predictor import AffinitiesPredictor
from .task import Task


class AffinitiesTask(Task):
    """``AffinitiesPredictor``, ``AffinitiesLoss``, ``WatershedPostProcessor``
    on the affinity channels and ``InstanceEvaluator``."""

    predictor: AffinitiesPredictor

    def __init__(self, task_config):
        self.predictor = AffinitiesPredictor(
            task_config.neighborhood,
            lsds=task_config.lsds,
            num_voxels=task_config.num_lsd_voxels,
            downsample_lsds=task_config.downsample_lsds,
            grow_boundary_iterations=task_config.grow_boundary_iterations,
            affs_weight_clipmin=task_config.affs_weight_clipmin,
            affs_weight_clipmax=task_config.affs_weight_clipmax,
            lsd_weight_clipmin=task_config.lsd_weight_clipmin,
            lsd_weight_clipmax=task_config.lsd_weight_clipmax,
            background_as_object=task_config.background_as_object,
        )
        self.loss = AffinitiesLoss(
            len(task_config.neighborhood), task_config.lsds_to_affs_weight_ratio
        )
        self.post_processor = WatershedPostProcessor(
            offsets=task_config.neighborhood, min_object_size=task_config.min_object_size
        )
        self.evaluator = InstanceEvaluator()

    @property
    def channels(self) -> List[str]:
        """``aff_<offset>`` per offset, then ``lsd_<i>`` with LSDs."""
        return self.predictor.output_channels
