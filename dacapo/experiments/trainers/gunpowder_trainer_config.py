"""Config of the gunpowder trainer: random, augmented samples of the training data."""

from __future__ import annotations

from typing import List, Optional

import attr

from dacapo._build import runtime_type
from dacapo._checks import (
    check_bool,
    check_fraction,
    check_int,
    check_number,
    fail,
    owner_of,
)
from dacapo.errors import ConfigError

from .gp_augments import AugmentConfig
from .trainer_config import TrainerConfig

#: values of ``GunpowderTrainerConfig.sample_strategy`` (None picks per dataset)
SAMPLE_STRATEGIES = ("anywhere", "integral_mask", "reject", "sample_points")


@attr.s
class GunpowderTrainerConfig(TrainerConfig):
    """Samples random locations of the training datasets with gunpowder,
    augments them and computes the task's target and loss weights.

    How locations are drawn (``sample_strategy``):

    - ``None`` (default): centred on the dataset's sample points when it has
      some, otherwise anywhere; ``min_masked`` is then checked as by ``"reject"``.
    - ``"anywhere"``: uniformly anywhere, the mask is not looked at
      (``min_masked`` must be 0 or None).
    - ``"integral_mask"``: anywhere with at least ``min_masked`` annotated, checked
      with an integral image of the whole mask, made once per dataset (fast
      draws; memory of 4-8 bytes per mask voxel).
    - ``"reject"``: anywhere; each candidate's mask is read and the location
      redrawn while less than ``min_masked`` is annotated (lean; slow when
      little is annotated).
    - ``"sample_points"``: centred on a random sample point of the dataset
      (every training dataset needs some); ``min_masked`` checked as by ``"reject"``.

    The annotated fraction is measured over the output region of a sample,
    before augmentation.
    """

    trainer_type = runtime_type(".gunpowder_trainer.GunpowderTrainer")

    num_data_fetchers: int = attr.ib(
        default=5,
        metadata={
            "help_text": "Worker processes making samples ahead of training (gunpowder "
            "PreCache); 0 makes them in the training process."
        },
    )
    augments: List[AugmentConfig] = attr.ib(
        factory=list,
        metadata={"help_text": "Augmentations applied to every sample, in this order."},
    )
    snapshot_interval: Optional[int] = attr.ib(
        default=None,
        metadata={
            "help_text": "Every this many iterations write raw, gt, target, weight, "
            "mask and prediction of the batch to the run's snapshot.zarr (None: never)."
        },
    )
    min_masked: Optional[float] = attr.ib(
        default=0.15,
        metadata={
            "help_text": "Least fraction of annotated (mask > 0) voxels in a sample's "
            "output region; other locations are redrawn (0 or None: no requirement)."
        },
    )
    clip_raw: bool = attr.ib(
        default=False,
        metadata={
            "help_text": "Read raw only around the ground truth (its ROI grown by the "
            "network's context); raw further out is treated as zeros."
        },
    )
    sample_strategy: Optional[str] = attr.ib(
        default=None,
        kw_only=True,
        metadata={
            "help_text": "How sample locations are drawn: None (sample points if the "
            "dataset has them, else anywhere), 'anywhere', 'integral_mask', 'reject' "
            "or 'sample_points' (see the class documentation)."
        },
    )
    mixed_precision: bool = attr.ib(
        default=False,
        kw_only=True,
        metadata={"help_text": "Train in float16 with gradient scaling on CUDA devices."},
    )
    warmup_iterations: int = attr.ib(
        default=1000,
        kw_only=True,
        metadata={
            "help_text": "The learning rate rises linearly from 1% to learning_rate "
            "over this many iterations (0: no warm-up)."
        },
    )
    random_seed: Optional[int] = attr.ib(
        default=None,
        kw_only=True,
        metadata={
            "help_text": "Seed of the batch pipeline (sample locations and augmentations): "
            "batch i of a run is drawn with a seed made of this and i, so training with "
            "num_data_fetchers=0 draws the same batches each time, resumed or not; with "
            "data fetchers each batch a worker starts gets its own seed from this, so the "
            "same batches are drawn, in an order that may vary (None: seeded from the clock)."
        },
    )

    targets_on_device: Optional[bool] = attr.ib(
        default=None,
        kw_only=True,
        metadata={
            "help_text": "Compute the training target and loss weights on the training "
            "device from the augmented ground truth, instead of in the data workers: "
            "None (default) does so when training on a GPU and the task's predictor "
            "can (the distance task); True whenever the predictor can (an error "
            "otherwise); False never. The batches are the same either way (a "
            "random_seed draws the same samples; the targets may differ in the last "
            "bit of tanh)."
        },
    )

    augments_on_device: Optional[bool] = attr.ib(
        default=None,
        kw_only=True,
        metadata={
            "help_text": "Apply the elastic augment, and the augments after it, on the "
            "training device, to crops the data workers read with room for the "
            "deformation, instead of in the data workers, where it is most of a batch's "
            "work: None (default) does so when the targets are made on a GPU and every "
            "augment after the elastic one is a SimpleAugmentConfig, "
            "IntensityAugmentConfig, GammaAugmentConfig, NoiseAugmentConfig or "
            "IntensityScaleShiftAugmentConfig; True whenever it can (an error "
            "otherwise); False never. The data workers draw the augments as their own "
            "nodes would; the samples differ only in the rounding of the interpolation "
            "(and noise is drawn with torch, of the same distribution)."
        },
    )

    def check_values(self) -> None:
        owner = owner_of(self)
        check_int(owner, "batch_size", self.batch_size, 1)
        check_number(owner, "learning_rate", self.learning_rate, 0, strict=True)
        check_int(owner, "num_data_fetchers", self.num_data_fetchers, 0)
        check_int(owner, "snapshot_interval", self.snapshot_interval, 1, allow_none=True)
        check_int(owner, "warmup_iterations", self.warmup_iterations, 0)
        check_int(owner, "random_seed", self.random_seed, 0, 2**32 - 1, allow_none=True)
        check_fraction(owner, "min_masked", self.min_masked, allow_none=True)
        check_bool(owner, "clip_raw", self.clip_raw)
        check_bool(owner, "mixed_precision", self.mixed_precision)
        if self.targets_on_device is not None:
            check_bool(owner, "targets_on_device", self.targets_on_device)
        if self.augments_on_device is not None:
            check_bool(owner, "augments_on_device", self.augments_on_device)
        self._validate_augments()
        self._validate_strategy()

    def _validate_augments(self) -> None:
        """Each of ``augments`` is an ``AugmentConfig`` that validates; its
        errors name this trainer config and the augment's position."""
        if not isinstance(self.augments, (list, tuple)):
            fail(owner_of(self), "augments", self.augments, "a list of AugmentConfig objects")
        for index, augment in enumerate(self.augments):
            where = f"{owner_of(self)}: `augments[{index}]`"
            if not isinstance(augment, AugmentConfig):
                raise ConfigError(
                    f"{where} must be an AugmentConfig, got {type(augment).__name__} "
                    f"{augment!r}"
                )
            try:
                augment.validate()
            except ConfigError as error:
                error.with_context(where)
                raise

    def _validate_strategy(self) -> None:
        strategy = self.sample_strategy
        if strategy is not None and strategy not in SAMPLE_STRATEGIES:
            raise ConfigError(
                f"{owner_of(self)}: unknown `sample_strategy` {strategy!r}; use None or one "
                f"of {', '.join(map(repr, SAMPLE_STRATEGIES))}"
            )
        if strategy == "anywhere" and self.min_masked:
            raise ConfigError(
                f"{owner_of(self)}: `sample_strategy` 'anywhere' ignores the mask but "
                f"`min_masked` is {self.min_masked}; set min_masked=0, or use 'reject' or "
                "'integral_mask' to keep the requirement"
            )
