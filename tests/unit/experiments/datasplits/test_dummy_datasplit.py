import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits import DataSplitConfig, DummyDataSplit, DummyDataSplitConfig
from dacapo.experiments.datasplits.datasets import DummyDatasetConfig
from dacapo.store.converter import converter


def test_dummy_datasplit_trains_on_one_dummy_dataset():
    config = DummyDataSplitConfig("dummy_split")
    assert config.train_config == DummyDatasetConfig("dummy_dataset")
    split = config.datasplit_type(config)
    assert isinstance(split, DummyDataSplit)
    assert [d.name for d in split.train] == ["dummy_dataset"]
    assert split.validate == []


def test_dummy_datasplit_config_is_never_valid():
    assert not DummyDataSplitConfig("dummy_split").verify()[0]
    with pytest.raises(ConfigError, match="'dummy_split' is a test fixture"):
        DummyDataSplitConfig("dummy_split").validate()


def test_dummy_datasplit_config_round_trips():
    config = DummyDataSplitConfig("dummy_split")
    assert converter.structure(converter.unstructure(config), DataSplitConfig) == config
