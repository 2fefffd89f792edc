"""Config of the elastic deformation and rotation augmentation."""

from __future__ import annotations

import math
from typing import List, Tuple

import attr

from dacapo._checks import (
    as_list,
    as_tuple,
    check_fraction,
    check_int,
    check_interval,
    check_numbers,
    check_same_length,
    fail,
)

from .augment_config import AugmentConfig


@attr.s
class ElasticAugmentConfig(AugmentConfig):
    """Elastically deforms and rotates raw, ground truth and mask alike.

    Builds ``dacapo.gp.ElasticAugment``: labels and masks are resampled by
    nearest neighbour, intensities linearly.
    """

    control_point_spacing: List[int] = attr.ib(
        converter=as_list,
        metadata={
            "help_text": "Distance between the control points of the elastic "
            "displacement, in voxels per spatial axis (of the finest voxel size)."
        },
    )
    control_point_displacement_sigma: List[float] = attr.ib(
        converter=as_list,
        metadata={
            "help_text": "Standard deviation of the random control point "
            "displacements, in voxels per spatial axis."
        },
    )
    rotation_interval: Tuple[float, float] = attr.ib(
        converter=as_tuple,
        metadata={
            "help_text": "Interval (radians) to draw the rotation angle from, e.g. "
            "(0, pi/2); the rotation is in the plane of the last two axes."
        },
    )
    subsample: int = attr.ib(
        default=1,
        metadata={
            "help_text": "Compute the displacement every `subsample` voxels and "
            "interpolate linearly in between (faster, less smooth)."
        },
    )
    uniform_3d_rotation: bool = attr.ib(
        default=False,
        metadata={
            "help_text": "Rotate 3D data uniformly at random about all axes instead "
            "of using `rotation_interval`."
        },
    )
    augmentation_probability: float = attr.ib(
        default=1.0,
        metadata={"help_text": "Probability of deforming a batch at all."},
    )

    def check_values(self) -> None:
        owner = "ElasticAugmentConfig"
        spacing, sigma = self.control_point_spacing, self.control_point_displacement_sigma
        check_numbers(owner, "control_point_spacing", spacing, 0, strict=True)
        check_numbers(owner, "control_point_displacement_sigma", sigma, 0)
        check_same_length(
            owner, ("control_point_spacing", "control_point_displacement_sigma"), (spacing, sigma)
        )
        low, high = check_interval(owner, "rotation_interval", self.rotation_interval)
        if not -2 * math.pi <= low <= high <= 2 * math.pi:
            fail(
                owner, "rotation_interval", self.rotation_interval,
                "in radians, within [-2 pi, 2 pi]",
                "e.g. (0, math.pi / 2); for degrees write (0, math.radians(90))",
            )
        check_int(owner, "subsample", self.subsample, 1)
        check_fraction(owner, "augmentation_probability", self.augmentation_probability)

    def node(self, raw_key, gt_key, mask_key):
        """The ``dacapo.gp.ElasticAugment`` node (applies to every requested array)."""
        from dacapo.gp import ElasticAugment

        return ElasticAugment(**self._arguments())

    def draw_node(self, draw_key, growth):
        """The ``dacapo.gp.ElasticDraw`` node: the same draws, applied on the
        training device to crops grown by ``growth`` (world units per side, by key)."""
        from dacapo.gp.elastic_draw import ElasticDraw

        return ElasticDraw(draw_key, growth, **self._arguments())

    def _arguments(self) -> dict:
        return dict(
            control_point_spacing=list(self.control_point_spacing),
            control_point_displacement_sigma=list(self.control_point_displacement_sigma),
            rotation_interval=tuple(self.rotation_interval),
            subsample=self.subsample,
            uniform_3d_rotation=self.uniform_3d_rotation,
            augmentation_probability=self.augmentation_probability,
        )
