"""A raw-only dataset, for tests."""

from __future__ import annotations

from dacapo._build import build

from .dataset import Dataset


class DummyDataset(Dataset):
    """Opens the raw array of a ``DummyDatasetConfig``; no ground truth or mask."""

    def __init__(self, dataset_config):
        self.name = dataset_config.name
        self.weight = dataset_config.weight
        self.raw = build(dataset_config.raw_config)
        self.gt = None
        self.mask = None
        self.sample_points = None
