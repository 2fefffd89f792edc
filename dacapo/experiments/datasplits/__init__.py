"""Datasplit configs and datasplits."""

from .datasplit import DataSplit  # noqa: F401
from .datasplit_config import DataSplitConfig  # noqa: F401
from .datasplit_generator import DataSplitGenerator, DatasetSpec  # noqa: F401
from .dummy_datasplit import DummyDataSplit  # noqa: F401
from .dummy_datasplit_config import DummyDataSplitConfig  # noqa: F401
from .simple_config import SimpleDataSplit, SimpleDataSplitConfig  # noqa: F401
from .train_validate_datasplit import TrainValidateDataSplit  # noqa: F401
from .train_validate_datasplit_config import TrainValidateDataSplitConfig  # noqa: F401
