import logging

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits import (
    DataSplitConfig,
    SimpleDataSplitConfig,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig, SimpleDataset
from dacapo.store.converter import converter

RAW = np.array([0, 51, 102, 255] * 2, dtype=np.uint8).reshape(2, 2, 2)
LABELS = np.array([0, 1] * 4, dtype=np.uint32).reshape(2, 2, 2)


@pytest.fixture
def write_crop(tmp_path, make_zarr):
    """``write_crop(group)`` writes raw and labels under ``data.zarr/<group>``."""
    container = tmp_path / "data.zarr"

    def write(group, raw_name="raw"):
        prefix = f"{group}/" if group else ""
        make_zarr(container, f"{prefix}{raw_name}", RAW)
        make_zarr(container, f"{prefix}labels", LABELS)
        return container

    return write


def names(datasets):
    return [d.name for d in datasets]


def test_layout_a_uses_one_dataset_for_train_and_validate(write_crop):
    container = write_crop("")
    config = SimpleDataSplitConfig("split", container)
    assert config.discover() == ([("data", "")], [("data", "")])
    split = config.datasplit_type(config)
    assert names(split.train) == names(split.validate) == ["data"]
    assert split.train[0] is split.validate[0]
    raw = split.train[0].raw
    assert raw.dtype == np.float32
    np.testing.assert_allclose(raw[raw.roi].ravel()[:4], [0.0, 0.2, 0.4, 1.0])


def test_layout_b_uses_the_groups(write_crop):
    write_crop("train")
    container = write_crop("test")
    config = SimpleDataSplitConfig("split", container)
    split = config.datasplit_type(config)
    assert names(split.train) == ["train"] and names(split.validate) == ["test"]
    assert all(isinstance(d, SimpleDataset) for d in split.train + split.validate)
    assert split.validate[0].raw.dtype == np.float32


def test_layout_c_has_one_dataset_per_crop(write_crop):
    write_crop("train/crop_b")
    write_crop("train/crop_a")
    container = write_crop("test/crop_c")
    config = SimpleDataSplitConfig("split", container)
    split = config.datasplit_type(config)
    assert names(split.train) == ["crop_a", "crop_b"]
    assert names(split.validate) == ["crop_c"]
    gt = split.validate[0].gt
    assert gt[gt.roi].ravel().tolist() == [0, 1] * 4


def test_custom_group_and_array_names(write_crop):
    write_crop("fit/one", raw_name="em")
    container = write_crop("check/two", raw_name="em")
    config = SimpleDataSplitConfig(
        "split", container, train_group_name="fit", validate_group_name="check", raw_name="em"
    )
    assert config.discover() == ([("one", "fit/one")], [("two", "check/two")])


def test_missing_validation_group_is_allowed_with_a_warning(write_crop, caplog):
    container = write_crop("train/crop0")
    config = SimpleDataSplitConfig("split", container)
    with caplog.at_level(logging.WARNING):
        split = config.datasplit_type(config)
    assert names(split.train) == ["crop0"] and split.validate == []
    assert "no validation data" in caplog.text


def test_equivalent_train_validate_config(write_crop):
    write_crop("train/crop0")
    container = write_crop("test/crop0")
    config = SimpleDataSplitConfig("split", container)
    assert config.verify() == (True, "No validation for this config")
    explicit = config.to_train_validate_config()
    assert isinstance(explicit, TrainValidateDataSplitConfig)
    assert all(isinstance(c, RawGTDatasetConfig) for c in explicit.train_configs)
    assert explicit.train_configs[0].gt_config.name == "split_train_crop0_gt"
    assert explicit.validate_configs[0].gt_config.name == "split_test_crop0_gt"
    split = explicit.datasplit_type(explicit)
    raw = split.train[0].raw
    np.testing.assert_allclose(raw[raw.roi].ravel()[:4], [0.0, 0.2, 0.4, 1.0])


def test_round_trips_through_the_store_converter(tmp_path):
    config = SimpleDataSplitConfig("split", tmp_path / "data.zarr", gt_name="gt")
    data = converter.unstructure(config)
    assert data["path"] == str(tmp_path / "data.zarr")
    assert converter.structure(data, DataSplitConfig) == config


def test_mixed_layouts_are_rejected(write_crop):
    write_crop("")
    container = write_crop("train/crop0")
    config = SimpleDataSplitConfig("split", container)
    with pytest.raises(ConfigError, match=r"mixes layouts: found \['<path>/raw', '<path>/train/crop0/raw'\]"):
        config.discover()
    assert not config.verify()[0]


def test_raw_directly_in_a_group_and_in_its_crops_is_rejected(write_crop):
    write_crop("train")
    container = write_crop("train/crop0")
    with pytest.raises(ConfigError, match="mixes layouts"):
        SimpleDataSplitConfig("split", container).discover()


def test_empty_container_lists_what_it_holds(make_zarr, tmp_path):
    container = tmp_path / "data.zarr"
    make_zarr(container, "train/crop0/em", RAW)
    with pytest.raises(ConfigError, match=r"found no 'raw' array .* the container holds \['train'\]"):
        SimpleDataSplitConfig("split", container).discover()


def test_validation_data_without_training_data_is_rejected(write_crop):
    container = write_crop("test/crop0")
    with pytest.raises(ConfigError, match="no 'raw' under the training group 'train'"):
        SimpleDataSplitConfig("split", container).discover()


def test_missing_container_is_rejected(tmp_path):
    config = SimpleDataSplitConfig("split", tmp_path / "nothing.zarr")
    with pytest.raises(ConfigError, match="container .*nothing.zarr does not exist"):
        config.validate()


def test_an_array_is_not_a_container(write_crop):
    container = write_crop("")
    with pytest.raises(ConfigError, match="cannot open .*raw as a zarr or N5 group"):
        SimpleDataSplitConfig("split", container / "raw").discover()


def test_synthetic_container(tmp_path):
    from dacapo.utils.synthetic import write_synthetic_container

    container = write_synthetic_container(
        tmp_path / "synthetic.zarr", train_crops=2, validate_crops=1, shape=(16, 16, 16)
    )
    config = SimpleDataSplitConfig("synthetic", container)
    assert config.verify() == (True, "No validation for this config")
    split = config.datasplit_type(config)
    assert names(split.train) == ["crop0", "crop1"] and names(split.validate) == ["crop0"]
    for dataset in split.train + split.validate:
        raw = dataset.raw[dataset.raw.roi]
        assert raw.dtype == np.float32 and 0.0 <= raw.min() and raw.max() <= 1.0
        assert dataset.gt[dataset.gt.roi].max() > 0
        assert dataset.mask is not None


def test_trust_gt_reaches_every_dataset_and_the_equivalent_configs(write_crop):
    write_crop("train/crop0")
    write_crop("train/crop1")
    container = write_crop("test/crop0")
    default = SimpleDataSplitConfig("split", container)
    split = default.datasplit_type(default)
    assert not any(d.trust_gt for d in split.train + split.validate)
    trusting = SimpleDataSplitConfig("split", container, trust_gt=True)
    split = trusting.datasplit_type(trusting)
    assert all(d.trust_gt for d in split.train + split.validate)
    explicit = trusting.to_train_validate_config()
    assert all(c.trust_gt for c in explicit.train_configs + explicit.validate_configs)
    assert converter.structure(converter.unstructure(trusting), DataSplitConfig) == trusting
