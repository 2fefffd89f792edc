import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets import DatasetConfig, DummyDataset, DummyDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import DummyArrayConfig
from dacapo.store.converter import converter


def test_dummy_dataset_has_only_raw():
    config = DummyDatasetConfig("dummy")
    assert config.raw_config == DummyArrayConfig("dummy_array")
    dataset = config.dataset_type(config)
    assert isinstance(dataset, DummyDataset)
    assert dataset.name == "dummy" and dataset.weight == 1
    assert dataset.raw.shape == (100, 50, 50)
    assert (dataset.gt, dataset.mask, dataset.sample_points) == (None, None, None)


def test_dummy_dataset_config_is_never_valid():
    ok, reason = DummyDatasetConfig("dummy").verify()
    assert not ok
    with pytest.raises(ConfigError, match="'dummy' is a test fixture"):
        DummyDatasetConfig("dummy").validate()


def test_dummy_dataset_configs_do_not_share_their_default_raw():
    assert DummyDatasetConfig("a").raw_config is not DummyDatasetConfig("b").raw_config


def test_dummy_dataset_config_round_trips():
    config = DummyDatasetConfig("dummy", weight=2)
    assert converter.structure(converter.unstructure(config), DatasetConfig) == config
