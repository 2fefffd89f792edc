"""The ``DataSplit`` interface: training and validation datasets."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import List, Optional

from .datasets import Dataset


class DataSplit(ABC):
    """The datasets a run trains on (``train``) and validates on (``validate``).

    ``validate`` is ``None`` or empty when the split has no validation data.
    """

    train: List[Dataset]
    validate: Optional[List[Dataset]]

    @abstractmethod
    def __init__(self, datasplit_config):
        """Opens the datasets ``datasplit_config`` describes."""

    def __repr__(self) -> str:
        validate = [d.name for d in self.validate or []]
        return (
            f"{type(self).__name__}(train={[d.name for d in self.train]}, "
            f"validate={validate})"
        )
