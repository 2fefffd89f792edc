"""Datasplit configs and datasplits."""

from .datasplit import DataSplit
from .datasplit_config import DataSplitConfig
from .datasplit_generator import DatasetSpec, DataSplitGenerator
from .dummy_datasplit import DummyDataSplit
from .dummy_datasplit_config import DummyDataSplitConfig
from .simple_config import SimpleDataSplit, SimpleDataSplitConfig
from .train_validate_datasplit import TrainValidateDataSplit
from .train_validate_datasplit_config import TrainValidateDataSplitConfig

__all__ = [
    "DataSplit",
    "DataSplitConfig",
    "DataSplitGenerator",
    "DatasetSpec",
    "DummyDataSplit",
    "DummyDataSplitConfig",
    "SimpleDataSplit",
    "SimpleDataSplitConfig",
    "TrainValidateDataSplit",
    "TrainValidateDataSplitConfig",
]
