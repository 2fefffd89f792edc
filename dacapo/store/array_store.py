"""Where the arrays a run writes (snapshots, validation outputs) live: the interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, List, Optional, Tuple, Union

from dacapo._array_identifiers import LocalArrayIdentifier, LocalContainerIdentifier
from dacapo.store.output_record import OutputRecord

__all__ = ["ArrayStore"]


class ArrayStore(ABC):
    """Names the containers and datasets of a run's arrays."""

    @abstractmethod
    def snapshot_container(self, run_name: str) -> LocalContainerIdentifier:
        """The container of the training snapshots of ``run_name``."""

    @abstractmethod
    def validation_container(self, run_name: str) -> LocalContainerIdentifier:
        """The container of everything validation writes for ``run_name``."""

    @abstractmethod
    def validation_input_arrays(
        self, run_name: str, index_name: str
    ) -> Tuple[LocalArrayIdentifier, LocalArrayIdentifier]:
        """The copies of raw and ground truth of validation dataset ``index_name``."""

    @abstractmethod
    def validation_prediction_array(
        self, run_name: str, iteration: int, dataset: str
    ) -> LocalArrayIdentifier:
        """The prediction of ``iteration`` on validation dataset ``dataset``."""

    @abstractmethod
    def validation_output_array(
        self, run_name: str, iteration: int, parameters: Any, dataset: str
    ) -> LocalArrayIdentifier:
        """The post-processed output of ``iteration`` with ``parameters`` on ``dataset``."""

    @abstractmethod
    def best_validation_array(
        self, run_name: str, criterion: str, index: Optional[str] = None
    ) -> LocalArrayIdentifier:
        """The best output for ``criterion`` (on validation dataset ``index``)."""

    @abstractmethod
    def remove(self, identifier: Union[LocalArrayIdentifier, LocalContainerIdentifier]) -> None:
        """Deletes an array, or a whole container."""

    def record_output(self, run_name: str, record: OutputRecord) -> None:  # noqa: B027
        """Notes that ``run_name`` wrote ``record`` (a later record of the same
        array replaces it). Stores that keep no records ignore it."""

    def recorded_outputs(self, run_name: str) -> List[OutputRecord]:
        """What ``record_output`` noted for ``run_name``, oldest first."""
        return []
