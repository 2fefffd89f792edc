"""A datasplit given as explicit lists of training and validation datasets."""

from __future__ import annotations

from dacapo._build import build

from .datasplit import DataSplit


class TrainValidateDataSplit(DataSplit):
    """Opens every dataset of a ``TrainValidateDataSplitConfig``."""

    def __init__(self, datasplit_config):
        self.name = datasplit_config.name
        self.train = [build(c) for c in datasplit_config.train_configs]
        self.validate = [build(c) for c in datasplit_config.validate_configs]
