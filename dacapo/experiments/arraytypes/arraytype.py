"""The base of the semantic tags attached to predictor outputs."""

from __future__ import annotations

from abc import ABC, abstractmethod


class ArrayType(ABC):
    """What the values of an array mean (labels, distances, probabilities, ...).

    Array types are small value objects. Their one behavioural hook is
    ``interpolatable``: augmentations resample interpolatable arrays linearly
    and all others with nearest-neighbour interpolation.
    """

    @property
    @abstractmethod
    def interpolatable(self) -> bool:
        """Whether values between two voxels may be interpolated."""
