"""The ``Dataset`` interface: raw data with optional ground truth and mask."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import List, Optional

from funlib.geometry import Coordinate

from .arrays import Array


class Dataset(ABC):
    """A named set of arrays used for training or validation.

    ``raw`` holds the input intensities, ``gt`` the ground truth (``None``
    when there is none), ``mask`` marks where the ground truth is known
    (0 = unknown, excluded from the loss; ``None`` = known everywhere).
    ``weight`` is how often training samples this dataset relative to the
    others, ``sample_points`` optional world coordinates to centre samples on.
    ``trust_gt`` lets tasks that read labels use float or negative ground-truth
    values instead of refusing them. Two datasets are equal when their names are.
    """

    name: str
    raw: Array
    gt: Optional[Array]
    mask: Optional[Array]
    weight: int
    sample_points: Optional[List[Coordinate]]
    trust_gt: bool = False

    @abstractmethod
    def __init__(self, dataset_config):
        """Opens the arrays ``dataset_config`` describes."""

    def __eq__(self, other) -> bool:
        return isinstance(other, Dataset) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def __str__(self) -> str:
        return self.__repr__()
