import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks import (
    AffinitiesTaskConfig,
    DistanceTaskConfig,
    DummyTaskConfig,
    HotDistanceTaskConfig,
    InnerDistanceTaskConfig,
    OneHotTaskConfig,
    PretrainedTaskConfig,
    Task,
)
from dacapo.experiments.tasks.evaluators import (
    BinarySegmentationEvaluator,
    DummyEvaluator,
    InstanceEvaluator,
)
from dacapo.experiments.tasks.losses import (
    AffinitiesLoss,
    CrossEntropyLoss,
    DiceLoss,
    DummyLoss,
    HotDistanceLoss,
    MSELoss,
)
from dacapo.experiments.tasks.post_processors import (
    ArgmaxPostProcessor,
    DummyPostProcessor,
    ThresholdPostProcessor,
    WatershedPostProcessor,
)
from dacapo.experiments.tasks.predictors import (
    AffinitiesPredictor,
    DistancePredictor,
    DummyPredictor,
    HotDistancePredictor,
    InnerDistancePredictor,
    OneHotPredictor,
)

NEIGHBORHOOD = [Coordinate(1, 0, 0), Coordinate(0, 1, 0), Coordinate(0, 0, 1)]


def _task(config):
    return config.task_type(config)


def _thresholds(task):
    return [p.threshold for p in task.parameters]


def _array(data, axes):
    data = np.asarray(data)
    spatial = len([a for a in axes if a != "c"])
    shape = data.shape[-spatial:]
    return NumpyArray.from_np_array(data, Roi((0,) * spatial, shape), (1,) * spatial, list(axes))


def test_task_needs_channels():
    with pytest.raises(TypeError):
        Task()


def test_dummy_task():
    task = _task(DummyTaskConfig("d", 3, 0.5))
    assert isinstance(task.predictor, DummyPredictor) and isinstance(task.loss, DummyLoss)
    assert isinstance(task.post_processor, DummyPostProcessor)
    assert isinstance(task.evaluator, DummyEvaluator)
    assert task.channels == ["e0", "e1", "e2"]


def test_distance_task():
    task = _task(DistanceTaskConfig("d", ["mito", "er"], 40.0, 8.0, scale_factor=5.0))
    assert isinstance(task.predictor, DistancePredictor) and isinstance(task.loss, MSELoss)
    assert task.predictor.scale_factor == 5.0 and task.predictor.mask_distances
    assert isinstance(task.post_processor, ThresholdPostProcessor)
    assert _thresholds(task) == [round(-1 + k / 10, 4) for k in range(1, 20)]  # -0.9 ... 0.9
    assert isinstance(task.evaluator, BinarySegmentationEvaluator)
    assert "er__f1_score" in task.evaluation_scores.criteria
    assert task.channels == ["mito", "er"]


def test_distance_task_with_dice_predicts_through_tanh():
    task = _task(DistanceTaskConfig("d", ["mito"], 40.0, 8.0, loss="dice"))
    assert isinstance(task.loss, DiceLoss) and task.loss.activation == "tanh"
    assert task.predictor.eval_activation == "tanh"


def test_inner_distance_task_thresholds_within_zero_and_one():
    task = _task(InnerDistanceTaskConfig("i", ["cell"], 40.0, 8.0, 3.0))
    assert isinstance(task.predictor, InnerDistancePredictor) and isinstance(task.loss, MSELoss)
    assert _thresholds(task) == [round(k / 20, 4) for k in range(1, 20)]  # 0.05 ... 0.95
    assert "cell__voi" in task.evaluation_scores.criteria


def test_hot_distance_task_scores_both_halves_against_the_class_mask():
    task = _task(HotDistanceTaskConfig("h", ["mito"], 40.0, 8.0, kernel_size=3))
    assert isinstance(task.predictor, HotDistancePredictor) and isinstance(
        task.loss, HotDistanceLoss
    )
    assert task.predictor.kernel_size == 3
    assert task.channels == ["mito", "mito_distance"]
    truth = _array(np.array([[0, 1, 1, 0]], dtype=np.uint8), ["y", "x"])
    prediction = np.array([[[0, 1, 1, 0]], [[0, 1, 0, 0]]], dtype=np.uint8)
    scores = task.evaluator.evaluate(_array(prediction, ["c", "y", "x"]), truth)
    assert scores.mito__recall == 1.0
    assert scores.mito_distance__recall == 0.5
    assert "mito_distance__f1_score" in task.evaluation_scores.criteria


def test_one_hot_task_scores_each_class():
    task = _task(OneHotTaskConfig("o", ["bg", "mito", "er"], loss="cross_entropy"))
    assert isinstance(task.predictor, OneHotPredictor) and isinstance(task.loss, CrossEntropyLoss)
    assert isinstance(task.post_processor, ArgmaxPostProcessor)
    truth = _array(np.array([[0, 1, 1, 2]], dtype=np.uint8), ["y", "x"])
    prediction = _array(np.array([[0, 1, 2, 2]], dtype=np.uint8), ["y", "x"])
    scores = task.evaluator.evaluate(prediction, truth)
    assert scores.bg__f1_score == 1.0
    assert scores.mito__recall == 0.5 and scores.mito__precision == 1.0
    assert scores.er__recall == 1.0 and scores.er__precision == 0.5
    one_mask_per_class = _array(
        np.stack([[[1, 0, 0, 0]], [[0, 1, 1, 0]], [[0, 0, 0, 1]]]), ["c", "y", "x"]
    )
    assert task.evaluator.evaluate(prediction, one_mask_per_class) == scores
    assert task.evaluation_scores.criteria[0].startswith("bg__")


def test_one_hot_evaluation_of_a_wrong_channel_count_is_an_error():
    task = _task(OneHotTaskConfig("o", ["bg", "mito", "er"]))
    prediction = _array(np.zeros((1, 4), dtype=np.uint8), ["y", "x"])
    truth = _array(np.zeros((2, 1, 4), dtype=np.uint8), ["c", "y", "x"])
    with pytest.raises(ConfigError, match="ground truth .* has 2 channels"):
        task.evaluator.evaluate(prediction, truth)


def test_one_hot_task_with_dice():
    task = _task(OneHotTaskConfig("o", ["bg", "mito"], loss="dice"))
    assert isinstance(task.loss, DiceLoss) and task.loss.activation == "softmax"


def test_affinities_task():
    task = _task(AffinitiesTaskConfig("a", NEIGHBORHOOD, lsds=True, lsds_to_affs_weight_ratio=0.5))
    assert isinstance(task.predictor, AffinitiesPredictor) and task.predictor.lsds
    assert isinstance(task.loss, AffinitiesLoss)
    assert (task.loss.num_affinities, task.loss.lsds_to_affs_weight_ratio) == (3, 0.5)
    assert isinstance(task.post_processor, WatershedPostProcessor)
    assert task.post_processor.offsets == NEIGHBORHOOD
    assert isinstance(task.evaluator, InstanceEvaluator)
    assert task.channels[:3] == ["aff_1.0.0", "aff_0.1.0", "aff_0.0.1"] and len(task.channels) == 13


@pytest.fixture
def architecture():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    return config.architecture_type(config)


def _pretrained(tmp_path, architecture, save):
    sub = DistanceTaskConfig("sub", ["mito"], 40.0, 8.0)
    torch.manual_seed(3)
    source = _task(sub).create_model(architecture)
    save(source, tmp_path / "weights.pt")
    return PretrainedTaskConfig("pre", sub, tmp_path / "weights.pt"), source


@pytest.mark.parametrize(
    "save",
    [
        lambda model, path: torch.save({"model": model.state_dict()}, path),
        lambda model, path: torch.save(model.state_dict(), path),
        lambda model, path: torch.save(model.chain.state_dict(), path),
    ],
    ids=["checkpoint", "state_dict", "chain_state_dict"],
)
def test_pretrained_task_loads_the_weights(tmp_path, architecture, save):
    config, source = _pretrained(tmp_path, architecture, save)
    task = _task(config)
    assert task.channels == ["mito"] and isinstance(task.predictor, DistancePredictor)
    assert isinstance(task.loss, MSELoss) and isinstance(
        task.evaluator, BinarySegmentationEvaluator
    )
    torch.manual_seed(4)
    model = task.create_model(architecture)
    for key, value in source.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)


def test_pretrained_weights_of_another_model_are_an_error(tmp_path, architecture):
    config, _ = _pretrained(tmp_path, architecture, lambda m, p: torch.save(m.state_dict(), p))
    other = PretrainedTaskConfig(
        "pre", DistanceTaskConfig("sub", ["a", "b"], 40.0, 8.0), config.weights
    )
    with pytest.raises(ConfigError, match="do not fit the model"):
        _task(other).create_model(architecture)


def test_unreadable_pretrained_weights_are_an_error(tmp_path, architecture):
    (tmp_path / "weights.pt").write_text("not a checkpoint")
    config = PretrainedTaskConfig(
        "pre", DistanceTaskConfig("sub", ["a"], 1.0, 1.0), tmp_path / "weights.pt"
    )
    with pytest.raises(ConfigError, match="cannot read weights"):
        _task(config).create_model(architecture)
    torch.save([1, 2], tmp_path / "weights.pt")
    with pytest.raises(ConfigError, match="hold a list, expected a state dict"):
        _task(config).create_model(architecture)
