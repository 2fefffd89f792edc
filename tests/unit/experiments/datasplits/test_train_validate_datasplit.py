import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits import (
    DataSplit,
    DataSplitConfig,
    TrainValidateDataSplit,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets import DummyDatasetConfig, RawGTDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
from dacapo.store.converter import converter


@pytest.fixture
def crops(tmp_path, make_zarr):
    """Two dataset configs over one small container."""
    container = tmp_path / "data.zarr"
    make_zarr(container, "raw", np.arange(8, dtype=np.uint8).reshape(2, 2, 2))
    make_zarr(container, "labels", np.ones((2, 2, 2), np.uint8))

    def config(name):
        return RawGTDatasetConfig(
            name,
            raw_config=ZarrArrayConfig(f"{name}_raw", container, "raw", mode="r"),
            gt_config=ZarrArrayConfig(f"{name}_gt", container, "labels", mode="r"),
        )

    return config("a"), config("b")


def test_opens_every_dataset(crops):
    a, b = crops
    config = TrainValidateDataSplitConfig("split", train_configs=[a, b], validate_configs=[b])
    assert config.verify() == (True, "No validation for this config")
    split = config.datasplit_type(config)
    assert isinstance(split, TrainValidateDataSplit) and isinstance(split, DataSplit)
    assert [d.name for d in split.train] == ["a", "b"]
    assert [d.name for d in split.validate] == ["b"]
    assert split.train[0].raw[split.train[0].raw.roi].ravel().tolist() == list(range(8))
    assert repr(split) == "TrainValidateDataSplit(train=['a', 'b'], validate=['b'])"


def test_round_trips_through_the_store_converter(crops):
    config = TrainValidateDataSplitConfig("split", train_configs=list(crops), validate_configs=[])
    data = converter.unstructure(config)
    assert data["__type__"] == "TrainValidateDataSplitConfig"
    assert converter.structure(data, DataSplitConfig) == config


def test_needs_training_data(crops):
    with pytest.raises(ConfigError, match="'split': train_configs is empty"):
        TrainValidateDataSplitConfig("split", train_configs=[], validate_configs=[crops[0]])
    config = TrainValidateDataSplitConfig("split", train_configs=[crops[0]], validate_configs=[])
    config.train_configs = []  # changed after it was made: validate() checks again
    with pytest.raises(ConfigError, match="'split': train_configs is empty"):
        config.validate()


def test_names_must_be_unique(crops):
    a, _ = crops
    with pytest.raises(ConfigError, match=r"validate_configs has several datasets named \['a'\]"):
        TrainValidateDataSplitConfig("split", train_configs=[a], validate_configs=[a, a])
    with pytest.raises(ConfigError, match=r"train_configs has several datasets named \['a'\]"):
        TrainValidateDataSplitConfig("split", train_configs=[a, a], validate_configs=[])


def test_reports_an_invalid_dataset(crops):
    config = TrainValidateDataSplitConfig(
        "split", train_configs=[crops[0], DummyDatasetConfig("dummy")], validate_configs=[]
    )
    ok, reason = config.verify()
    assert not ok
    with pytest.raises(ConfigError, match="'split', train_configs: .*'dummy' is a test fixture"):
        config.validate()
