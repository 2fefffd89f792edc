"""Dataset configs and datasets."""

from .dataset import Dataset  # noqa: F401
from .dataset_config import DatasetConfig  # noqa: F401
from .dummy_dataset import DummyDataset  # noqa: F401
from .dummy_dataset_config import DummyDatasetConfig  # noqa: F401
from .raw_gt_dataset import RawGTDataset  # noqa: F401
from .raw_gt_dataset_config import RawGTDatasetConfig  # noqa: F401
from .simple_dataset import SimpleDataset  # noqa: F401
