import logging

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits import (
    DatasetSpec,
    DataSplitConfig,
    DataSplitGenerator,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets.arrays import (
    ConstantArrayConfig,
    CropArrayConfig,
    ResampledArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasplit_generator import (
    DatasetType,
    _choose_level,
    format_class_name,
    generate_dataspec_from_csv,
    parse_gt_dataset,
)
from dacapo.store.converter import converter

# raw: 8^3 voxels of 2 nm (s0), with s1 at 4 nm and s2 at 8 nm; labels: 4^3 voxels of 4 nm
RAW = (np.arange(512) % 251).astype(np.uint8).reshape(8, 8, 8)
MITO = np.zeros((4, 4, 4), np.uint8)
MITO[:2] = 1  # z < 2
ER = np.zeros((4, 4, 4), np.uint8)
ER[2:, :2] = 2  # z >= 2 and y < 2


@pytest.fixture
def em(tmp_path, make_zarr):
    container = tmp_path / "em.zarr"
    make_zarr(container, "raw/s0", RAW, (2, 2, 2))
    make_zarr(container, "raw/s1", RAW[::2, ::2, ::2], (4, 4, 4))
    make_zarr(container, "raw/s2", RAW[::4, ::4, ::4], (8, 8, 8))
    make_zarr(container, "crop1/mito", MITO, (4, 4, 4))
    make_zarr(container, "crop1/er", ER, (4, 4, 4))
    make_zarr(container, "crop2/mito", MITO, (4, 4, 4))
    return container


@pytest.fixture
def write_csv(tmp_path):
    def write(text, name="split.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture
def two_crops(em, write_csv):
    """crop1 (mito and er) for training, crop2 (mito only) for validation."""
    return write_csv(
        f"train,{em},raw,{em},crop1/[mito&er]\n"
        f"val,{em},raw,{em},crop2/[mito]\n"
    )


def generate(csv, input_resolution=(4, 4, 4), output_resolution=(4, 4, 4), **kwargs):
    kwargs.setdefault("min_training_volume_size", 1)
    return DataSplitGenerator.generate_from_csv(
        csv, input_resolution, output_resolution, **kwargs
    ).compute()


def read_all(array):
    return array[array.roi]


def test_csv_to_a_datasplit_that_opens(two_crops):
    config = generate(two_crops, targets=["mito", "er"], binarize_gt=True,
                      use_negative_class=True)
    assert isinstance(config, TrainValidateDataSplitConfig)
    assert config.name == "split"
    assert [c.name for c in config.train_configs] == ["em_crop1_mito_er"]
    assert [c.name for c in config.validate_configs] == ["em_crop2_mito"]
    assert config.verify() == (True, "No validation for this config")
    split = config.datasplit_type(config)
    train = split.train[0]
    assert train.raw.voxel_size == Coordinate(4, 4, 4)
    assert train.raw.dtype == np.float32
    np.testing.assert_allclose(read_all(train.raw)[0, 0, :2], [0, 2 / 255], rtol=1e-6)
    gt = read_all(train.gt)
    assert gt.shape == (2, 4, 4, 4)
    np.testing.assert_array_equal(gt[:, :, 0, 0], [[1, 1, 0, 0], [0, 0, 1, 1]])
    np.testing.assert_array_equal(gt[:, 3, 3, 0], [0, 0])
    assert read_all(train.mask).min() == 1


def test_round_trips_through_the_store_converter(two_crops):
    config = generate(two_crops, use_negative_class=True)
    data = converter.unstructure(config)
    assert converter.structure(data, DataSplitConfig) == config


def test_without_binarisation_the_label_ids_are_kept(two_crops):
    config = generate(two_crops, targets=["mito", "er"], use_negative_class=True)
    gt = read_all(config.datasplit_type(config).train[0].gt)
    np.testing.assert_array_equal(gt[:, :, 0, 0], [[1, 1, 0, 0], [0, 0, 2, 2]])


def test_negative_class_is_empty_and_known_where_other_classes_are(two_crops):
    config = generate(two_crops, targets=["mito", "er"], use_negative_class=True)
    val = config.datasplit_type(config).validate[0]
    gt, mask = read_all(val.gt), read_all(val.mask)
    assert gt[1].max() == 0  # er is absent from crop2
    np.testing.assert_array_equal(mask[0], np.ones((4, 4, 4)))
    np.testing.assert_array_equal(mask[1, :, 0, 0], [1, 1, 0, 0])  # where mito is labelled


def test_missing_class_without_negative_class_is_unknown(two_crops):
    config = generate(two_crops, targets=["mito", "er"])
    val = config.datasplit_type(config).validate[0]
    assert read_all(val.mask)[1].max() == 0
    assert read_all(val.gt)[1].max() == 0


def test_class_syntax_expands_to_one_gt_dataset_per_class(two_crops):
    config = generate(two_crops, use_negative_class=True)
    gt = config.train_configs[0].gt_config
    assert gt.channels == ["mito", "er"]  # targets default to every class, in CSV order
    datasets = {c: s.dataset for c, s in gt.source_array_configs.items()}
    assert datasets == {"mito": "crop1/mito", "er": "crop1/er"}


def test_parse_gt_dataset_and_format_class_name():
    assert parse_gt_dataset("a/crop1/[mito&er]") == ("a/crop1", ["mito", "er"])
    assert parse_gt_dataset("crop1/mito") == ("crop1", ["mito"])
    assert parse_gt_dataset("[nuc|ves]", "|") == ("", ["nuc", "ves"])
    assert format_class_name("crop1/[mito&er]") == "mito_er"
    assert format_class_name("[mito&er&nuc]", targets=["nuc", "mito", "ld"]) == "nuc_mito"


@pytest.mark.parametrize(
    "gt_dataset, message",
    [
        ("crop1/[mito&er", "unbalanced brackets"),
        ("crop1/mito]", "unbalanced brackets"),
        ("crop1/[mito&&er]", "empty or repeated"),
        ("crop1/[mito&mito]", "empty or repeated"),
        ("[crop1]/mito", "brackets outside the last component"),
    ],
)
def test_bad_class_syntax(gt_dataset, message):
    with pytest.raises(ConfigError, match=message):
        parse_gt_dataset(gt_dataset)


@pytest.mark.parametrize(
    "input_resolution, dataset, up, down",
    [
        ((2, 2, 2), "raw/s0", None, None),
        ((4, 4, 4), "raw/s1", None, None),
        ((8, 8, 8), "raw/s2", None, None),
        ((16, 16, 16), "raw/s2", (1, 1, 1), (2, 2, 2)),  # coarsest level finer than 16
        ((8, 4, 4), "raw/s1", (1, 1, 1), (2, 1, 1)),
        ((1, 1, 1), "raw/s0", (2, 2, 2), (1, 1, 1)),  # all levels coarser: finest, upsampled
    ],
)
def test_multiscale_level_choice(two_crops, input_resolution, dataset, up, down):
    config = generate(two_crops, input_resolution, use_negative_class=True)
    raw = config.train_configs[0].raw_config.source_array_config
    if up is None:
        assert isinstance(raw, ZarrArrayConfig) and raw.dataset == dataset
    else:
        assert isinstance(raw, ResampledArrayConfig)
        assert raw.source_array_config.dataset == dataset
        assert (raw.upsample, raw.downsample) == (Coordinate(up), Coordinate(down))
        assert raw.interp_order == 1


def test_resampled_raw_opens_at_the_target_resolution(two_crops):
    config = generate(two_crops, (16, 16, 16), use_negative_class=True)
    raw = config.datasplit_type(config).train[0].raw
    assert raw.voxel_size == Coordinate(16, 16, 16)
    assert raw.roi == Roi((0, 0, 0), (16, 16, 16))


def test_gt_is_resampled_with_nearest_neighbours(two_crops):
    config = generate(two_crops, output_resolution=(8, 8, 8), use_negative_class=True)
    mito = config.train_configs[0].gt_config.source_array_configs["mito"]
    assert isinstance(mito, ResampledArrayConfig) and mito.interp_order == 0
    assert mito.downsample == Coordinate(2, 2, 2)


def test_choose_level_prefers_the_coarsest_level_not_coarser_than_the_target():
    levels = [("s0", Coordinate(4, 2, 2)), ("s1", Coordinate(8, 4, 4)), ("s2", Coordinate(16, 8, 8))]
    assert _choose_level(levels, Coordinate(8, 8, 8))[0] == "s1"
    assert _choose_level(levels, Coordinate(16, 8, 8))[0] == "s2"
    assert _choose_level(levels, Coordinate(2, 2, 2))[0] == "s0"


def test_non_integer_resampling_is_rejected(two_crops):
    with pytest.raises(ConfigError, match=r"raw/s1 has voxel size \(4, 4, 4\), which cannot be resampled to \(6, 6, 6\)"):
        generate(two_crops, (6, 6, 6), use_negative_class=True)


@pytest.mark.parametrize(
    "kwargs, resolutions, limit",
    [
        ({"max_raw_training_downsample": 1}, ((16, 16, 16), (4, 4, 4)), "max_raw_training_downsample=1"),
        ({"max_raw_training_upsample": 1}, ((1, 1, 1), (4, 4, 4)), "max_raw_training_upsample=1"),
        ({"max_raw_validation_downsample": 1}, ((16, 16, 16), (4, 4, 4)), "max_raw_validation_downsample=1"),
        ({"max_gt_upsample": 1}, ((4, 4, 4), (2, 2, 2)), "max_gt_upsample=1"),
        ({"max_gt_downsample": 1}, ((4, 4, 4), (8, 8, 8)), "max_gt_downsample=1"),
    ],
)
def test_resampling_limits(two_crops, kwargs, resolutions, limit):
    with pytest.raises(ConfigError, match=f"more than {limit}; raise"):
        generate(two_crops, *resolutions, use_negative_class=True, **kwargs)


def test_small_training_crops_are_left_out(two_crops, caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(ConfigError, match="no usable training crop"):
        generate(two_crops, min_training_volume_size=65, use_negative_class=True)
    assert "fewer than 65 voxels" in caplog.text


def test_large_validation_crops_are_centre_cropped(two_crops):
    config = generate(two_crops, max_validation_volume_size=16, use_negative_class=True)
    gt = config.validate_configs[0].gt_config
    assert isinstance(gt, CropArrayConfig)
    # 4x4x4 voxels -> 2x4x4 -> 2x2x4, centred: one voxel (4 nm) in from z and y
    assert gt.roi == Roi((4, 4, 0), (8, 8, 16))
    val = config.datasplit_type(config).validate[0]
    assert read_all(val.gt).shape == (2, 2, 2, 4)
    assert read_all(val.mask).shape == (2, 2, 2, 4)


def test_instance_segmentation_keeps_one_class_of_label_ids(two_crops):
    config = generate(two_crops, targets=["er"], segmentation_type="instance",
                      use_negative_class=True)
    assert [c.name for c in config.train_configs] == ["em_crop1_er"]
    assert config.validate_configs == []  # crop2 has no er
    train = config.datasplit_type(config).train[0]
    assert train.gt.axes == ["z", "y", "x"]
    assert read_all(train.gt).max() == 2
    assert isinstance(config.train_configs[0].mask_config, ConstantArrayConfig)


def test_instance_segmentation_needs_one_target(two_crops):
    with pytest.raises(ConfigError, match=r"exactly one target class, got \['mito', 'er'\]"):
        generate(two_crops, segmentation_type="instance")


def test_crops_without_any_target_are_skipped(em, write_csv, caplog):
    csv = write_csv(f"train,{em},raw,{em},crop1/[mito&er]\ntrain,{em},raw,{em},crop1/[er]\n")
    with caplog.at_level(logging.WARNING):
        config = generate(csv, targets=["mito"])
    assert [c.name for c in config.train_configs] == ["em_crop1_mito"]
    assert "none of the classes ['mito']" in caplog.text


def test_repeated_crops_get_unique_names(em, write_csv):
    csv = write_csv(f"train,{em},raw,{em},crop2/mito\ntrain,{em},raw,{em},crop2/mito\n")
    config = generate(csv, name="twice")
    assert config.name == "twice"
    assert [c.name for c in config.train_configs] == ["em_crop2_mito", "em_crop2_mito_2"]


def test_target_absent_everywhere_needs_the_negative_class(two_crops):
    with pytest.raises(ConfigError, match=r"target\(s\) \['nuc'\] appear in no ground-truth"):
        generate(two_crops, targets=["mito", "nuc"])


def test_resolution_with_other_dimensions_is_rejected(two_crops):
    with pytest.raises(ConfigError, match=r"has 3 spatial dimensions .* requested resolution \(4, 4\) has 2"):
        generate(two_crops, (4, 4), use_negative_class=True)


def test_missing_gt_dataset_is_reported(em, write_csv):
    csv = write_csv(f"train,{em},raw,{em},crop9/[mito]\n")
    with pytest.raises(ConfigError, match="crop9/mito is neither an array nor a group of scale levels"):
        generate(csv)


def test_missing_container_is_reported(em, write_csv, tmp_path):
    csv = write_csv(f"train,{tmp_path / 'nope.zarr'},raw,{em},crop1/[mito]\n")
    with pytest.raises(ConfigError, match="container .*nope.zarr does not exist"):
        generate(csv)


def test_generator_arguments_are_checked(em):
    spec = DatasetSpec("train", em, "raw", em, "crop1/mito")
    with pytest.raises(ConfigError, match="raw_max \\(0\\) must be greater than raw_min \\(0\\)"):
        DataSplitGenerator("g", [spec], (4, 4, 4), (4, 4, 4), raw_max=0).compute()
    with pytest.raises(ConfigError, match="`datasets` is empty"):
        DataSplitGenerator("g", [], (4, 4, 4), (4, 4, 4)).compute()
    with pytest.raises(ConfigError, match="segmentation_type 'panoptic' is not one of"):
        DataSplitGenerator("g", [spec], (4, 4, 4), (4, 4, 4), segmentation_type="panoptic")


def test_dataspecs_from_csv(em, write_csv):
    csv = write_csv(
        "# type, raw container, raw dataset, gt container, gt dataset\n"
        "\n"
        f" train , {em}, raw, {em}, crop1/[mito&er]\n"
        f"VAL,{em},raw,{em},crop2/mito\n"
    )
    specs = generate_dataspec_from_csv(csv)
    assert [s.dataset_type for s in specs] == [DatasetType.train, DatasetType.val]
    assert specs[0].raw_container == em and specs[0].gt_dataset == "crop1/[mito&er]"
    with pytest.raises(ConfigError, match="dataset type 'test' is not one of \\['train', 'val'\\]"):
        DatasetSpec("test", em, "raw", em, "crop1/mito")


@pytest.mark.parametrize(
    "rows, message",
    [
        ("train,a.zarr,raw,a.zarr\n", r"row 1: expected 5 comma-separated columns .* got 4"),
        ("\ntrain,a.zarr,raw,a.zarr,gt,extra\n", r"row 2: expected 5 comma-separated columns .* got 6"),
        ("train,a.zarr,,a.zarr,gt\n", r"row 1: column\(s\) \['raw_dataset'\] are empty"),
        ("test,a.zarr,raw,a.zarr,gt\n", "row 1: first column is 'test'; expected 'train' or 'val'"),
        ("# only a comment\n", "has no rows"),
    ],
)
def test_bad_csv_rows(write_csv, rows, message):
    csv = write_csv(rows, name="bad.csv")
    with pytest.raises(ConfigError, match=f"datasplit CSV .*bad.csv.*{message}"):
        generate_dataspec_from_csv(csv)


def test_missing_csv(tmp_path):
    with pytest.raises(ConfigError, match="datasplit CSV .*absent.csv does not exist"):
        DataSplitGenerator.generate_from_csv(tmp_path / "absent.csv", (4, 4, 4), (4, 4, 4))
