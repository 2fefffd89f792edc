"""The ``Predictor`` interface: model head, training target and weights of a task."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Optional, Tuple

from funlib.geometry import Coordinate

from ._gt_labels import require_label_dtype

if TYPE_CHECKING:
    import numpy as np
    import torch

    from dacapo.experiments.architectures.architecture import Architecture
    from dacapo.experiments.arraytypes.arraytype import ArrayType
    from dacapo.experiments.datasplits.datasets.arrays.array import Array
    from dacapo.experiments.model import Model


class Predictor(ABC):
    """Defines how to train a model to predict a certain output from an input.

    A predictor creates the model (architecture plus head), the training
    target and the per-voxel loss weights for a given ground truth, and names
    the type of its output.
    """

    #: what the ground truth's values mean to this predictor when it reads them
    #: as labels (e.g. ``"instance ids (0 = background)"``), which must then be
    #: integers or booleans and never negative; None: any values
    gt_labels: Optional[str] = None

    def check_gt(self, gt: "Array", where: str) -> None:
        """Raises ``ConfigError`` when ``gt``'s dtype (from its metadata) cannot
        hold what this predictor reads from it. The trainer calls it once per
        training dataset; ``where`` names the dataset and the task."""
        if self.gt_labels is not None:
            require_label_dtype(gt.dtype, self.gt_labels, where)

    #: whether ``device_targets`` computes target and weights with torch on
    #: the training device (trainers may then skip ``create_target`` and
    #: ``create_weight`` in their data workers)
    supports_device_targets: bool = False

    def device_targets(
        self, gt: "torch.Tensor", mask: Optional["torch.Tensor"], voxel_size: Coordinate,
        moving_class_counts: Any = None,
    ) -> Tuple["torch.Tensor", "torch.Tensor", Any]:
        """Target and weights of a batch computed on ``gt``'s device, with the
        values ``create_target`` and ``create_weight`` give each sample over
        the same ground truth (the counts carried from sample to sample),
        cropped by ``padding`` on each side: ``gt`` (and ``mask``, or None)
        ``(batch, [c,] *spatial)`` over the network output grown by
        ``padding``. Returns target and weight ``(batch, c, *spatial)`` and
        the updated counts (in a device form of this method's own). Only for
        predictors with ``supports_device_targets``."""
        raise NotImplementedError(
            f"{type(self).__name__} computes its targets on the CPU only "
            "(supports_device_targets is False)"
        )

    def device_gt(self, gt: "np.ndarray") -> "np.ndarray":
        """The ground truth of a sample as ``device_targets`` reads it, made in
        the data workers: in as few bytes as keep what ``device_targets``
        reads from it. By default unchanged."""
        return gt

    @abstractmethod
    def create_model(self, architecture: "Architecture") -> "Model":
        """The model for this predictor, usually the architecture followed by a
        head that maps its channels to the channels this predictor outputs."""

    @abstractmethod
    def create_target(self, gt: "Array") -> "Array":
        """The target the loss compares the prediction to, computed from ``gt``.

        The target may differ from the ground truth (e.g. boundaries computed
        from an instance segmentation). It covers the same spatial region as
        ``gt`` unless ``gt_region_for_roi`` asks for more ground-truth context.
        """

    @abstractmethod
    def create_weight(
        self, gt: "Array", target: "Array", mask: Optional["Array"], moving_class_counts: Any
    ) -> Tuple["Array", Any]:
        """Per-voxel loss weights and the updated ``moving_class_counts``
        (class frequencies a predictor may carry from batch to batch)."""

    @property
    @abstractmethod
    def output_array_type(self) -> "ArrayType":
        """What the values of the model's output mean."""

    def gt_region_for_roi(self, target_spec):
        """How much ground truth is needed to compute the target for ``target_spec``.

        By default the same region::

            target:      |=========|
            gt needed:   |=========|

        Predictors whose target depends on a neighbourhood (e.g. distances up
        to a maximum) override this to grow the region::

            target:        |=====|
            gt needed:   |=========|
        """
        return target_spec

    def padding(self, gt_voxel_size: Coordinate) -> Coordinate:
        """Extra ground-truth context (world units) needed per side: none by default."""
        return Coordinate((0,) * gt_voxel_size.dims)
