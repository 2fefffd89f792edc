"""Config of ``AffinitiesTask``: affinities (and LSDs) for instance segmentation."""

from __future__ import annotations

from typing import List

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import (
    check_clip,
    check_int,
    check_neighborhood,
    check_number,
    to_coordinates,
)

from .task_config import TaskConfig


def _coordinates(values):
    return [] if values is None else to_coordinates(values)


def _clip_field(default: float, what: str, bound: str):
    return attr.ib(
        default=default,
        metadata={
            "help_text": f"Class fractions {bound} this are clipped to it when balancing "
            f"{what} weights."
        },
    )


@attr.s
class AffinitiesTaskConfig(TaskConfig):
    """Learns affinities between each voxel and its neighbours at the offsets
    of ``neighborhood`` (optionally with local shape descriptors as an
    auxiliary target). Validation segments them with the mutex watershed and
    scores the instances (VOI, adapted Rand error, instance F1).
    """

    task_type = runtime_type(".affinities_task.AffinitiesTask")

    neighborhood: List[Coordinate] = attr.ib(
        converter=_coordinates,
        metadata={
            "help_text": "Offsets (voxels) of the affinities, e.g. [(1, 0, 0), (0, 1, 0), "
            "(0, 0, 1)]; longer offsets add long-range affinities."
        },
    )
    lsds: bool = attr.ib(
        default=False,
        metadata={
            "help_text": "Also predict local shape descriptors (10 channels in 3D, 6 in 2D)."
        },
    )
    num_lsd_voxels: int = attr.ib(
        default=10,
        metadata={"help_text": "LSD Gaussian sigma, in multiples of the largest voxel size."},
    )
    downsample_lsds: int = attr.ib(
        default=1,
        metadata={"help_text": "Compute LSDs at this many times coarser resolution (faster)."},
    )
    lsds_to_affs_weight_ratio: float = attr.ib(
        default=1.0,
        metadata={"help_text": "Weight of the LSD loss relative to the affinity loss."},
    )
    affs_weight_clipmin: float = _clip_field(0.05, "affinity", "below")
    affs_weight_clipmax: float = _clip_field(0.95, "affinity", "above")
    lsd_weight_clipmin: float = _clip_field(0.05, "LSD", "below")
    lsd_weight_clipmax: float = _clip_field(0.95, "LSD", "above")
    background_as_object: bool = attr.ib(
        default=False,
        metadata={
            "help_text": "Treat the background as one more object, so background voxels "
            "are connected to each other."
        },
    )
    grow_boundary_iterations: int = attr.ib(
        default=0,
        kw_only=True,
        metadata={
            "help_text": "Set object voxels within this many steps of a different label "
            "to background before computing the target (widens gaps between objects)."
        },
    )
    min_object_size: int = attr.ib(
        default=0,
        kw_only=True,
        metadata={
            "help_text": "After the mutex watershed, objects of fewer voxels than this "
            "join their neighbours (0: keep every object, single voxels included)."
        },
    )

    def check_values(self) -> None:
        owner = f"AffinitiesTaskConfig {self.name!r}"
        check_neighborhood(owner, "neighborhood", self.neighborhood)
        check_int(owner, "num_lsd_voxels", self.num_lsd_voxels, 1)
        check_int(owner, "downsample_lsds", self.downsample_lsds, 1)
        check_int(owner, "grow_boundary_iterations", self.grow_boundary_iterations, 0)
        check_int(owner, "min_object_size", self.min_object_size, 0)
        check_number(owner, "lsds_to_affs_weight_ratio", self.lsds_to_affs_weight_ratio, 0)
        check_clip(
            owner,
            ("affs_weight_clipmin", "affs_weight_clipmax"),
            (self.affs_weight_clipmin, self.affs_weight_clipmax),
        )
        check_clip(
            owner,
            ("lsd_weight_clipmin", "lsd_weight_clipmax"),
            (self.lsd_weight_clipmin, self.lsd_weight_clipmax),
        )
