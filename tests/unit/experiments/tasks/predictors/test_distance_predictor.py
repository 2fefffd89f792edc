import gunpowder as gp
import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.arraytypes import DistanceArray
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import DistancePredictor


def _array(data, offset=(0, 0), voxel_size=(1, 1), axes=("y", "x")):
    data = np.asarray(data)
    shape = Coordinate(data.shape[-2:]) * Coordinate(voxel_size)
    return NumpyArray.from_np_array(data, Roi(offset, shape), voxel_size, list(axes))


def _weights(predictor, labels, mask=None, counts=None):
    gt = _array(labels)
    target = predictor.create_target(gt)
    return predictor.create_weight(gt, target, mask, counts)


def test_target_of_a_single_voxel_is_tanh_of_half_a_voxel():
    labels = np.zeros((3, 3), dtype=np.uint8)
    labels[1, 1] = 1
    target = DistancePredictor(["dot"], 1.0, mask_distances=False).create_target(_array(labels))
    diagonal = np.sqrt(1.25)
    expected = np.tanh(
        [[-diagonal, -0.5, -diagonal], [-0.5, 0.5, -0.5], [-diagonal, -0.5, -diagonal]]
    )
    assert target.axes == ["c", "y", "x"] and target.dtype == np.float32
    np.testing.assert_allclose(target.data[0], expected, rtol=1e-6)


def test_target_scales_distances_and_honours_the_voxel_size():
    labels = np.zeros((3, 3), dtype=np.uint8)
    labels[1, 1] = 1
    gt = _array(labels, offset=(8, 2), voxel_size=(4, 2))
    target = DistancePredictor(["dot"], 2.0, mask_distances=False).create_target(gt)
    assert target.roi == gt.roi and target.voxel_size == Coordinate(4, 2)
    assert target.data[0, 1, 1] == pytest.approx(np.tanh(1.0 / 2.0))  # 1 world unit to the x faces
    assert target.data[0, 0, 1] == pytest.approx(np.tanh(-2.0 / 2.0))


def test_empty_patch_is_all_outside():
    target = DistancePredictor(["dot"], 5.0, False).create_target(_array(np.zeros((4, 4))))
    np.testing.assert_array_equal(target.data, -np.ones((1, 4, 4)))


def test_each_channel_uses_its_own_mask():
    labels = np.zeros((2, 1, 4), dtype=np.uint8)
    labels[0, 0, 0] = 1
    labels[1, 0, 3] = 1
    gt = _array(labels, axes=("c", "y", "x"))
    target = DistancePredictor(["a", "b"], 1.0, False).create_target(gt)
    np.testing.assert_allclose(target.data[:, 0, 0], np.tanh([0.5, -2.5]), rtol=1e-6)


def test_weights_balance_inside_and_outside():
    labels = np.zeros((1, 10), dtype=np.uint8)
    labels[0, 3] = 1  # 10% inside
    weight, counts = _weights(DistancePredictor(["dot"], 1.0, False), labels)
    assert weight.data[0, 0, 3] == pytest.approx(1 / (2 * 0.1))
    assert weight.data[0, 0, 0] == pytest.approx(1 / (2 * 0.9))
    assert counts == [{0: (9.0, 10.0), 1: (1.0, 10.0)}]


def test_weights_clip_the_class_fractions():
    labels = np.zeros((2, 20), dtype=np.uint8)
    labels[0, 0] = 1  # 2.5% inside, clipped to 5%
    predictor = DistancePredictor(["dot"], 1.0, False, clipmin=0.05, clipmax=0.95)
    weight, _ = _weights(predictor, labels)
    assert weight.data[0, 0, 0] == pytest.approx(10.0)
    assert weight.data[0, 1, 1] == pytest.approx(1 / (2 * 0.95))


def test_masked_voxels_get_no_weight_and_are_not_counted():
    labels = np.array([[1, 0, 0, 0]], dtype=np.uint8)
    mask = _array(np.array([[1, 1, 1, 0]], dtype=np.uint8))
    weight, _ = _weights(DistancePredictor(["dot"], 1.0, False), labels, mask)
    np.testing.assert_allclose(weight.data[0, 0], [1.5, 0.75, 0.75, 0.0])


def test_moving_counts_carry_over_batches():
    predictor = DistancePredictor(["dot"], 1.0, False)
    _, counts = _weights(predictor, np.array([[1, 0, 0, 0]], dtype=np.uint8))
    weight, counts = _weights(predictor, np.array([[1, 1, 0, 0]], dtype=np.uint8), counts=counts)
    assert weight.data[0, 0, 0] == pytest.approx(1 / (2 * 3 / 8))  # 3 of 8 inside so far
    assert counts == [{0: (5.0, 8.0), 1: (3.0, 8.0)}]


def test_mask_distances_drops_voxels_near_the_unseen_region():
    # empty 5x5 patch, scale 1: tanh(distance to the border) reaches 0.95 only
    # at the centre (2.5 voxels), so only the centre keeps a weight
    weight, _ = _weights(DistancePredictor(["dot"], 1.0, True), np.zeros((5, 5), dtype=np.uint8))
    expected = np.zeros((5, 5))
    expected[2, 2] = 1 / (2 * 0.95)
    np.testing.assert_allclose(weight.data[0], expected, rtol=1e-6)


def test_mask_distances_keeps_distances_shorter_than_the_border():
    labels = np.zeros((1, 7), dtype=np.uint8)
    labels[0, 3] = 1
    weight, _ = _weights(DistancePredictor(["dot"], 100.0, True), labels)
    # a single row: every voxel is 0.5 from the crop border, so only the dot and
    # its neighbours (|distance| 0.5) are certain; farther voxels could be closer
    # to an object hidden outside the crop
    np.testing.assert_array_equal(weight.data[0, 0] > 0, [0, 0, 1, 1, 1, 0, 0])


def test_weights_cover_the_target_roi_inside_a_larger_gt():
    gt = _array(np.zeros((6, 6), dtype=np.uint8))
    predictor = DistancePredictor(["dot"], 1.0, True)
    full = predictor.create_target(gt)
    inner = Roi((1, 1), (4, 4))
    target = NumpyArray.from_np_array(full[inner], inner, (1, 1), full.axes)
    weight, _ = predictor.create_weight(gt, target, None, None)
    assert weight.roi == inner and weight.data.shape == (1, 4, 4)
    # the unseen region is the border of the whole gt: 1.5 and 2.5 voxels away here
    assert weight.data[0, 2, 2] > 0 and weight.data[0, 0, 0] == 0


def test_gt_region_grows_by_the_saturation_distance_with_mask_distances():
    spec = gp.ArraySpec(roi=gp.Roi((0, 0), (40, 40)), voxel_size=gp.Coordinate(4, 4))
    masked = DistancePredictor(["dot"], 10.0, True)  # saturates at 18.3 -> 5 voxels of 4
    assert masked.gt_region_for_roi(spec).roi == gp.Roi((-20, -20), (80, 80))
    assert masked.padding(Coordinate(4, 8)) == Coordinate(20, 24)
    assert masked.gt_region_for_roi(Roi((0, 0), (40, 40))) == Roi((-19, -19), (78, 78))
    plain = DistancePredictor(["dot"], 10.0, False)
    assert plain.gt_region_for_roi(spec) is spec
    assert plain.padding(Coordinate(4, 4)) == Coordinate(0, 0)


def test_model_head_and_eval_clamp():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=3)
    architecture = config.architecture_type(config)
    model = DistancePredictor(["a", "b"], 1.0, False).create_model(architecture)
    assert model.num_out_channels == 2
    model.eval()
    with torch.no_grad():
        out = model(100 * torch.randn(1, 1, 40, 20, 20))
    assert out.min() >= -1 and out.max() <= 1
    tanh_model = DistancePredictor(["a"], 1.0, False, eval_activation="tanh").create_model(
        architecture
    )
    assert isinstance(tanh_model.eval_activation, torch.nn.Tanh)


def test_output_array_type_names_the_channels():
    assert DistancePredictor(["a", "b"], 1.0, False).output_array_type == DistanceArray(
        {0: "a", 1: "b"}
    )


def test_gt_without_enough_channels_is_an_error():
    predictor = DistancePredictor(["a", "b"], 1.0, False)
    with pytest.raises(ConfigError, match="has 1 channel\\(s\\) but 2 are predicted"):
        predictor.create_target(_array(np.zeros((3, 3))))


def test_mask_with_a_wrong_shape_is_an_error():
    predictor = DistancePredictor(["a"], 1.0, False)
    gt = _array(np.zeros((2, 2), dtype=np.uint8))
    target = predictor.create_target(gt)
    mask = _array(np.ones((3, 2, 2)), axes=("c", "y", "x"))
    with pytest.raises(ConfigError, match="mask .* gives shape"):
        predictor.create_weight(gt, target, mask, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(channels=[]), r"DistancePredictor: `channels` must be a non-empty list .*, got \[\]"),
        (dict(channels=["a", "a"]), r"`channels` must be a list of unique .*\['a'\] repeat a name"),
        (
            dict(scale_factor=0),
            "DistancePredictor: `scale_factor` must be a finite number > 0, got 0",
        ),
        (
            dict(clipmin=0.6, clipmax=0.5),
            "DistancePredictor: `clipmin`, `clipmax` must satisfy 0 < clipmin <= clipmax <= 1, "
            "got 0.6, 0.5",
        ),
        (
            dict(eval_activation="relu"),
            "DistancePredictor: `eval_activation` must be one of .*'relu'",
        ),
    ],
)
def test_bad_arguments_are_errors(kwargs, message):
    arguments = dict(channels=["a"], scale_factor=1.0, mask_distances=False)
    arguments.update(kwargs)
    with pytest.raises(ConfigError, match=message):
        DistancePredictor(**arguments)


def _per_class_case(num_classes):
    """Labels and a mask with one channel per class (as DataSplitGenerator
    builds them), each class's mask hiding a different column."""
    rng = np.random.default_rng(num_classes)
    labels = (rng.random((num_classes, 8, 8)) > 0.7).astype(np.uint8)
    masks = np.ones((num_classes, 8, 8), dtype=np.uint8)
    for c in range(num_classes):
        masks[c, :, 2 * c] = 0
    return labels, masks


@pytest.mark.parametrize("num_classes", [2, 3])
def test_mask_distances_with_a_mask_channel_per_class(num_classes):
    labels, masks = _per_class_case(num_classes)
    names = [f"class{c}" for c in range(num_classes)]
    gt = _array(labels, axes=("c", "y", "x"))
    mask = _array(masks, axes=("c", "y", "x"))
    predictor = DistancePredictor(names, 3.0, True)
    weight, counts = predictor.create_weight(gt, predictor.create_target(gt), mask, None)
    assert weight.data.shape == (num_classes, 8, 8) and len(counts) == num_classes
    for c in range(num_classes):  # each channel as if predicted alone with its own mask
        single = DistancePredictor([names[c]], 3.0, True)
        alone, _ = _weights(single, labels[c], _array(masks[c]))
        np.testing.assert_allclose(weight.data[c], alone.data[0], rtol=1e-6)
        assert not weight.data[c, :, 2 * c].any()
    # the classes' masks differ, so their distance masks differ too
    assert not np.array_equal(weight.data[0] > 0, weight.data[1] > 0)


def test_mask_distances_with_one_mask_for_several_classes():
    labels, masks = _per_class_case(2)
    gt = _array(labels, axes=("c", "y", "x"))
    predictor = DistancePredictor(["a", "b"], 3.0, True)
    weight, _ = predictor.create_weight(gt, predictor.create_target(gt), _array(masks[1]), None)
    for c in range(2):
        alone, _ = _weights(DistancePredictor(["a"], 3.0, True), labels[c], _array(masks[1]))
        np.testing.assert_allclose(weight.data[c], alone.data[0], rtol=1e-6)


def test_mask_distances_on_a_generated_multi_class_datasplit(tmp_path, make_zarr):
    # DataSplitGenerator gives several classes one gt and one mask channel each
    from dacapo.experiments.datasplits import DataSplitGenerator

    container = tmp_path / "em.zarr"
    make_zarr(container, "raw/s0", np.zeros((8, 8, 8), np.uint8), (4, 4, 4))
    mito, er = np.zeros((8, 8, 8), np.uint8), np.zeros((8, 8, 8), np.uint8)
    mito[:3], er[5:, :4] = 1, 2
    make_zarr(container, "crop1/mito", mito, (4, 4, 4))
    make_zarr(container, "crop1/er", er, (4, 4, 4))
    csv = tmp_path / "split.csv"
    csv.write_text(f"train,{container},raw,{container},crop1/[mito&er]\n")
    config = DataSplitGenerator.generate_from_csv(
        csv, (4, 4, 4), (4, 4, 4), targets=["mito", "er"], binarize_gt=True,
        min_training_volume_size=1,
    ).compute()
    train = config.datasplit_type(config).train[0]
    assert train.mask.num_channels == 2
    predictor = DistancePredictor(["mito", "er"], 8.0, True)
    target = predictor.create_target(train.gt)
    weight, counts = predictor.create_weight(train.gt, target, train.mask, None)
    assert weight.data.shape == (2, 8, 8, 8) and len(counts) == 2
    assert weight.data[:, 4, 4, 4].min() > 0  # the centre is far enough from the border
