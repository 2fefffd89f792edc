"""The seed module ``dacapo.experiments.tasks.predictors.dummy_predictor``:
every documented member, with the documented examples as tests."""

import gunpowder as gp
import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.architectures import CNNectomeUNetConfig, DummyArchitectureConfig
from dacapo.experiments.tasks.predictors import dummy_predictor
from dacapo.experiments.tasks.predictors.dummy_predictor import (
    DummyPredictor,
    EmbeddingArray,
    Model,
    NumpyArray,
    Predictor,
)


def zeros_example() -> NumpyArray:
    return NumpyArray.from_np_array(
        np.zeros((2, 3, 4)), Roi((0, 0, 0), (2, 3, 4)), Coordinate((1, 1, 1)), ["z", "y", "x"]
    )


def dummy_architecture(num_out_channels=4):
    config = DummyArchitectureConfig("dummy", 1, num_out_channels)
    return config.architecture_type(config)


def labels() -> NumpyArray:
    """A 2x3x4-voxel label volume at voxel size (4, 2, 2), offset (8, 0, 2)."""
    data = np.arange(24, dtype=np.uint64).reshape(2, 3, 4)
    return NumpyArray.from_np_array(data, Roi((8, 0, 2), (8, 6, 8)), Coordinate(4, 2, 2), ["z", "y", "x"])


def test_module_exposes_the_documented_names():
    from dacapo.experiments import model
    from dacapo.experiments.arraytypes import embedding
    from dacapo.experiments.datasplits.datasets.arrays import numpy_array
    from dacapo.experiments.tasks.predictors import predictor

    assert dummy_predictor.Predictor is predictor.Predictor
    assert dummy_predictor.Model is model.Model
    assert dummy_predictor.EmbeddingArray is embedding.EmbeddingArray
    assert dummy_predictor.NumpyArray is numpy_array.NumpyArray
    assert set(dummy_predictor.__all__) == {
        "Predictor", "Model", "EmbeddingArray", "NumpyArray", "DummyPredictor"
    }


# NumpyArray, as documented in the seed


def test_numpy_array_from_np_array_examples():
    array = zeros_example()
    assert array.attrs == {}
    np.testing.assert_array_equal(array.data, np.zeros((2, 3, 4)))
    assert array.axes == ["z", "y", "x"]
    assert array.dims == 3
    assert array.voxel_size == Coordinate((1, 1, 1))
    assert array.roi == Roi((0, 0, 0), (2, 3, 4))
    assert array.writable is True
    assert array.dtype == np.dtype("float64")


def test_numpy_array_num_channels_examples():
    array = NumpyArray.from_np_array(
        np.zeros((1, 2, 3, 4)), Roi((0, 0, 0), (1, 2, 3)), Coordinate((1, 1, 1)),
        ["b", "c", "z", "y", "x"],
    )
    assert array.num_channels == 1
    with pytest.raises(ValueError, match=r"^Array does not have a channel dimension\.$"):
        zeros_example().num_channels


def test_numpy_array_from_gp_array_example():
    gp_array = gp.Array(
        data=np.zeros((2, 3, 4)),
        spec=gp.ArraySpec(roi=Roi((0, 0, 0), (2, 3, 4)), voxel_size=Coordinate((1, 1, 1))),
    )
    array = NumpyArray.from_gp_array(gp_array)
    np.testing.assert_array_equal(array.data, np.zeros((2, 3, 4)))
    assert array.roi == Roi((0, 0, 0), (2, 3, 4))
    assert array.voxel_size == Coordinate(1, 1, 1)
    assert array.axes == ["z", "y", "x"]


# EmbeddingArray and Model, as documented in the seed


def test_embedding_array_example():
    embedding_array = EmbeddingArray(embedding_dims=10)
    assert embedding_array.embedding_dims == 10
    assert embedding_array.interpolatable is True


def test_model_examples():
    model = Model(dummy_architecture(num_out_channels=1), torch.nn.Conv3d(1, 1, 1))
    assert model.compute_output_shape(Coordinate(3, 3, 3)) == (1, Coordinate(1, 1, 1))
    assert model.scale(Coordinate(1, 1, 1)) == Coordinate(1, 1, 1)


def test_model_eval_activation_only_in_eval_mode():
    torch.manual_seed(0)
    model = Model(dummy_architecture(), torch.nn.Conv3d(4, 2, 1), torch.nn.Softmax(dim=1))
    x = torch.rand(1, 1, 3, 3, 3) * 100
    with torch.no_grad():
        training_output = model(x)
        assert not torch.allclose(training_output.sum(dim=1), torch.ones(1, 1, 1, 1))
        evaluation_output = model.eval()(x)
    assert torch.allclose(evaluation_output, torch.softmax(training_output, dim=1))
    assert torch.allclose(evaluation_output.sum(dim=1), torch.ones(1, 1, 1, 1))


# Predictor


def test_predictor_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Predictor()

    class Incomplete(Predictor):
        def create_model(self, architecture):
            return None

    with pytest.raises(TypeError, match="create_target"):
        Incomplete()


def test_predictor_defaults_need_no_extra_context():
    predictor = DummyPredictor(3)
    spec = gp.ArraySpec(roi=Roi((0, 0, 0), (8, 8, 8)), voxel_size=Coordinate(2, 2, 2))
    assert predictor.gt_region_for_roi(spec) is spec
    assert predictor.padding(Coordinate(4, 2, 2)) == Coordinate(0, 0, 0)


# DummyPredictor


def test_create_model_appends_a_1x1_head():
    predictor = DummyPredictor(embedding_dims=3)
    assert predictor.embedding_dims == 3
    architecture = dummy_architecture(num_out_channels=4)
    model = predictor.create_model(architecture)
    assert isinstance(model, Model)
    assert model.architecture is architecture
    head = model.prediction_head
    assert isinstance(head, torch.nn.Conv3d)
    assert (head.in_channels, head.out_channels, head.kernel_size) == (4, 3, (1, 1, 1))
    assert (model.num_out_channels, model.output_shape) == (3, Coordinate(38, 18, 18))


def test_create_model_for_a_2d_architecture():
    config = CNNectomeUNetConfig(
        "unet2d", Coordinate(36, 36), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[Coordinate(2, 2)],
    )
    model = DummyPredictor(5).create_model(config.architecture_type(config))
    assert isinstance(model.prediction_head, torch.nn.Conv2d)
    assert (model.num_out_channels, model.output_shape) == (5, Coordinate(20, 20))


def test_create_target_is_zero_embeddings_over_the_gt_roi():
    gt = labels()
    target = DummyPredictor(embedding_dims=3).create_target(gt)
    assert isinstance(target, NumpyArray)
    assert target.data.shape == (3, 2, 3, 4)
    assert target.data.dtype == np.float32
    assert not target.data.any()
    assert target.roi == Roi((8, 0, 2), (8, 6, 8))
    assert target.voxel_size == Coordinate(4, 2, 2)
    assert target.axes == ["c", "z", "y", "x"]
    assert target.num_channels == 3


def test_create_target_of_a_gt_with_channels():
    gt = NumpyArray.from_np_array(
        np.zeros((2, 3, 4, 5), dtype=np.uint8), Roi((0, 0, 0), (3, 4, 5)), Coordinate(1, 1, 1),
        ["c", "z", "y", "x"],
    )
    target = DummyPredictor(embedding_dims=1).create_target(gt)
    assert target.axes == ["c", "z", "y", "x"]
    assert target.data.shape == (1, 3, 4, 5)


def test_create_weight_is_ones_like_the_target_and_no_class_counts():
    predictor = DummyPredictor(embedding_dims=2)
    gt = labels()
    target = predictor.create_target(gt)
    weight, counts = predictor.create_weight(gt, target, mask=None)
    assert counts is None
    assert isinstance(weight, NumpyArray)
    assert weight.data.shape == (2, 2, 3, 4)
    assert weight.data.dtype == np.float32
    assert np.all(weight.data == 1)
    assert (weight.roi, weight.voxel_size, weight.axes) == (target.roi, target.voxel_size, target.axes)
    assert predictor.create_weight(gt, target, None, moving_class_counts={0: 1})[1] is None


def test_output_array_type():
    assert DummyPredictor(embedding_dims=7).output_array_type == EmbeddingArray(7)
