"""A datasplit of one dummy training dataset, for tests."""

from __future__ import annotations

from dacapo._build import build

from .datasplit import DataSplit


class DummyDataSplit(DataSplit):
    """Opens the training dataset of a ``DummyDataSplitConfig``; no validation data."""

    def __init__(self, datasplit_config):
        self.name = datasplit_config.name
        config = datasplit_config.train_config
        self.train = [build(config)]
        self.validate = []
