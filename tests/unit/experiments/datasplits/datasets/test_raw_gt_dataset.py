import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets import (
    Dataset,
    DatasetConfig,
    RawGTDataset,
    RawGTDatasetConfig,
)
from dacapo.experiments.datasplits.datasets.arrays import (
    DummyArrayConfig,
    ZarrArrayConfig,
)
from dacapo.store.converter import converter

RAW = np.arange(64, dtype=np.uint8).reshape(4, 4, 4)
LABELS = np.array([0, 1, 2, 3] * 16, dtype=np.uint32).reshape(4, 4, 4)


def zarr_config(container, dataset, name=None):
    return ZarrArrayConfig(name or dataset, container, dataset, mode="r")


@pytest.fixture
def container(tmp_path, make_zarr):
    path = tmp_path / "data.zarr"
    make_zarr(path, "raw", RAW, voxel_size=(2, 2, 2))
    make_zarr(path, "labels", LABELS, voxel_size=(2, 2, 2))
    make_zarr(path, "mask", np.ones((4, 4, 4), np.uint8), voxel_size=(2, 2, 2))
    return path


def dataset_config(container, **kwargs):
    fields = dict(
        name="crop",
        raw_config=zarr_config(container, "raw"),
        gt_config=zarr_config(container, "labels"),
    )
    fields.update(kwargs)
    return RawGTDatasetConfig(**fields)


def test_opens_raw_gt_and_mask(container):
    config = dataset_config(
        container,
        weight=3,
        mask_config=zarr_config(container, "mask"),
        sample_points=[(2, 2, 2), [4, 6, 0]],
    )
    assert config.verify()[0]
    dataset = config.dataset_type(config)
    assert isinstance(dataset, RawGTDataset)
    assert (dataset.name, dataset.weight) == ("crop", 3)
    assert dataset.sample_points == [Coordinate(2, 2, 2), Coordinate(4, 6, 0)]
    roi = Roi((0, 0, 0), (2, 2, 4))
    np.testing.assert_array_equal(dataset.raw[roi], [[[0, 1]]])
    np.testing.assert_array_equal(dataset.gt[roi], [[[0, 1]]])
    assert dataset.mask.roi == Roi((0, 0, 0), (8, 8, 8))


def test_gt_and_mask_are_optional_at_runtime(container):
    config = RawGTDatasetConfig("raw_only", raw_config=zarr_config(container, "raw"))
    dataset = RawGTDataset(config)
    assert dataset.gt is None and dataset.mask is None and dataset.sample_points is None


def test_round_trips_through_the_store_converter(container):
    config = dataset_config(container, sample_points=[(2, 2, 2)])
    data = converter.unstructure(config)
    assert data["sample_points"] == [[2, 2, 2]]
    assert converter.structure(data, DatasetConfig) == config


@pytest.mark.parametrize("field", ["raw_config", "gt_config"])
def test_validate_requires_raw_and_gt(container, field):
    config = dataset_config(container, **{field: None})
    ok, reason = config.verify()
    assert not ok
    with pytest.raises(ConfigError, match=f"'crop': {field} is missing"):
        config.validate()


def test_validate_reports_an_invalid_nested_config(container):
    config = dataset_config(container, mask_config=DummyArrayConfig("dummy"))
    with pytest.raises(ConfigError, match="'crop', mask_config: .*DummyArrayConfig"):
        config.validate()


def test_validate_turns_an_unopenable_array_into_a_config_error(container, monkeypatch):
    config = dataset_config(container, mask_config=zarr_config(container.parent / "gone.zarr", "m"))
    # the mask config's own check passes, opening its array fails
    monkeypatch.setattr(config.mask_config, "validate", lambda: None)
    with pytest.raises(ConfigError, match="'crop': cannot open its arrays: .*gone.zarr"):
        config.validate()


def test_runtime_requires_raw(container):
    config = RawGTDatasetConfig("empty", gt_config=zarr_config(container, "labels"))
    with pytest.raises(ConfigError, match="dataset 'empty': raw_config is missing"):
        RawGTDataset(config)


def test_rejects_different_dimensions(container, make_zarr):
    make_zarr(container, "labels2d", LABELS[0], voxel_size=(2, 2))
    config = dataset_config(container, gt_config=zarr_config(container, "labels2d"))
    with pytest.raises(ConfigError, match="has 3 spatial dimensions .* but gt 'labels2d' has 2"):
        config.validate()


def test_rejects_raw_and_gt_that_do_not_overlap(container, make_zarr):
    make_zarr(container, "far", LABELS, voxel_size=(2, 2, 2), offset=(100, 0, 0))
    config = dataset_config(container, gt_config=zarr_config(container, "far"))
    with pytest.raises(ConfigError, match=r"raw 'raw' \(ROI .*\) and gt 'far' .* do not overlap"):
        RawGTDataset(config)


def test_rejects_a_mask_on_another_grid(container, make_zarr):
    make_zarr(container, "coarse_mask", np.ones((2, 2, 2), np.uint8), voxel_size=(4, 4, 4))
    config = dataset_config(container, mask_config=zarr_config(container, "coarse_mask"))
    with pytest.raises(ConfigError, match=r"mask 'coarse_mask' has voxel size \(4, 4, 4\)"):
        RawGTDataset(config)


def test_rejects_a_mask_outside_the_gt(container, make_zarr):
    make_zarr(container, "far_mask", np.ones((4, 4, 4), np.uint8), voxel_size=(2, 2, 2),
              offset=(0, 0, 80))
    config = dataset_config(container, mask_config=zarr_config(container, "far_mask"))
    with pytest.raises(ConfigError, match="gt 'labels' .* and mask 'far_mask' .* do not overlap"):
        RawGTDataset(config)


def test_rejects_sample_points_outside_the_gt(container):
    config = dataset_config(container, sample_points=[(2, 2, 2), (2, 2, 8)])
    with pytest.raises(ConfigError, match=r"sample point \(2, 2, 8\) is not inside the ROI"):
        config.validate()


class NamedDataset(Dataset):
    def __init__(self, name):
        self.name = name


def test_datasets_compare_and_hash_by_name():
    assert NamedDataset("a") == NamedDataset("a")
    assert NamedDataset("a") != NamedDataset("b")
    assert len({NamedDataset("a"), NamedDataset("a"), NamedDataset("b")}) == 2
    assert repr(NamedDataset("a")) == "NamedDataset('a')"


def test_dataset_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Dataset()
