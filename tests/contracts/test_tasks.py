"""Contract every task meets, run over every registered concrete ``TaskConfig``:
its model outputs the target's channels, its target and weights cover the
ground truth's ROI with the right shape and dtype, and its loss can be
minimised. Each registered task config needs a case below."""

import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.arraytypes import (
    AnnotationArray,
    BinaryArray,
    DistanceArray,
    EmbeddingArray,
    Mask,
    ProbabilityArray,
)
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks import (
    AffinitiesTaskConfig,
    DistanceTaskConfig,
    DummyTaskConfig,
    HotDistanceTaskConfig,
    InnerDistanceTaskConfig,
    OneHotTaskConfig,
    PretrainedTaskConfig,
)
from dacapo.experiments.tasks.evaluators import EvaluationScores
from dacapo.experiments.tasks.post_processors import PostProcessorParameters
from dacapo.experiments.tasks.task_config import TaskConfig

VOXEL_SIZE = Coordinate(4, 4, 4)
INPUT_SHAPE = Coordinate(28, 28, 28)  # -> 12^3 output for the U-Net below
OUTPUT_SHAPE = Coordinate(12, 12, 12)
GT_ROI = Roi((40, 0, 8), OUTPUT_SHAPE * VOXEL_SIZE)


def _instances() -> np.ndarray:
    """Three box-shaped objects (ids 1..3) on background, 12^3 voxels."""
    labels = np.zeros(tuple(OUTPUT_SHAPE), dtype=np.uint64)
    labels[1:6, 1:6, 1:6] = 1
    labels[6:11, 3:9, 2:10] = 2
    labels[2:5, 7:11, 7:11] = 3
    return labels


def _gt(labels: np.ndarray) -> NumpyArray:
    return NumpyArray.from_np_array(labels, GT_ROI, VOXEL_SIZE, ["z", "y", "x"])


def _neighborhood():
    return [Coordinate(1, 0, 0), Coordinate(0, 1, 0), Coordinate(0, 0, 1)]


def _pretrained(tmp_path, architecture):
    sub = DistanceTaskConfig("sub", ["blob"], 40.0, 8.0, scale_factor=8.0)
    torch.manual_seed(1)
    model = sub.task_type(sub).create_model(architecture)
    torch.save({"model": model.state_dict()}, tmp_path / "weights.pt")
    return PretrainedTaskConfig("pretrained", sub, tmp_path / "weights.pt")


# config class name -> (config factory(tmp_path, architecture), gt labels, model output channels)
CASES = {
    "DummyTaskConfig": (lambda tmp, arch: DummyTaskConfig("dummy", 3, 0.5), _instances(), 3),
    "DistanceTaskConfig": (
        lambda tmp, arch: DistanceTaskConfig("dist", ["blob"], 40.0, 8.0, scale_factor=8.0),
        _instances(),
        1,
    ),
    "InnerDistanceTaskConfig": (
        lambda tmp, arch: InnerDistanceTaskConfig("inner", ["cell"], 40.0, 8.0, 8.0),
        _instances(),
        1,
    ),
    "HotDistanceTaskConfig": (
        lambda tmp, arch: HotDistanceTaskConfig(
            "hot", ["blob"], 40.0, 8.0, 8.0, mask_distances=True
        ),
        _instances(),
        2,
    ),
    "OneHotTaskConfig": (
        lambda tmp, arch: OneHotTaskConfig("onehot", ["bg", "a", "b", "c"]),
        _instances(),
        4,
    ),
    "AffinitiesTaskConfig": (
        lambda tmp, arch: AffinitiesTaskConfig(
            "affs", _neighborhood(), lsds=True, num_lsd_voxels=2
        ),
        _instances(),
        3 + 10,
    ),
    "PretrainedTaskConfig": (_pretrained, _instances(), 1),
}

# config class name -> what the model output means (predictor.output_array_type)
OUTPUT_TYPES = {
    "DummyTaskConfig": EmbeddingArray,
    "DistanceTaskConfig": DistanceArray,
    "InnerDistanceTaskConfig": DistanceArray,
    "HotDistanceTaskConfig": ProbabilityArray,
    "OneHotTaskConfig": ProbabilityArray,
    "AffinitiesTaskConfig": EmbeddingArray,
    "PretrainedTaskConfig": DistanceArray,  # that of its sub-task
}

# discrete values: resampling them linearly would make values that mean nothing
_LABEL_TYPES = (AnnotationArray, BinaryArray, Mask)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def architecture():
    config = CNNectomeUNetConfig(
        name="tiny_unet",
        input_shape=INPUT_SHAPE,
        fmaps_out=4,
        fmaps_in=1,
        num_fmaps=4,
        fmap_inc_factor=2,
        downsample_factors=[Coordinate(2, 2, 2)],
    )
    return config.architecture_type(config)


@pytest.fixture(params=sorted(CASES))
def case(request, tmp_path, architecture):
    factory, labels, channels = CASES[request.param]
    config = factory(tmp_path, architecture)
    assert type(config).__name__ == request.param
    return config.task_type(config), _gt(labels), channels


def test_every_registered_task_config_has_a_case():
    registered = {cls.__name__ for cls in TaskConfig.registry().concrete()}
    missing = {name for name in registered if name not in CASES or name not in OUTPUT_TYPES}
    assert not missing, (
        f"task configs without a case (CASES and OUTPUT_TYPES) in "
        f"tests/contracts/test_tasks.py: {missing}"
    )


def test_model_outputs_the_target_channels(case, architecture):
    task, gt, channels = case
    torch.manual_seed(0)
    model = task.create_model(architecture)
    target = task.predictor.create_target(gt)
    assert model.num_out_channels == channels == len(task.channels)
    assert model.output_shape == OUTPUT_SHAPE
    if "c" in target.axes:
        assert target.num_channels == channels
    else:  # class ids: one logit channel per class
        assert target.data.max() < channels


def test_target_and_weight_cover_the_gt(case):
    task, gt, _ = case
    target = task.predictor.create_target(gt)
    weight, counts = task.predictor.create_weight(gt, target, None, None)
    assert target.roi == gt.roi and weight.roi == target.roi
    assert target.voxel_size == weight.voxel_size == VOXEL_SIZE
    assert target.data.shape[-3:] == tuple(OUTPUT_SHAPE)
    assert weight.data.shape == target.data.shape
    assert weight.dtype == np.float32
    assert target.dtype in (np.float32, np.int64)
    assert np.all(weight.data >= 0) and np.any(weight.data > 0)
    assert np.all(np.isfinite(target.data))
    # a second batch accepts the counts of the first
    task.predictor.create_weight(gt, target, None, counts)


def test_output_array_type_describes_the_model_output(request, case, architecture):
    task, _, channels = case
    output_type = task.predictor.output_array_type
    assert type(output_type) is OUTPUT_TYPES[request.node.callspec.params["case"]]
    # distances, probabilities and embeddings are continuous: augmentations may
    # interpolate them; labels, masks and binary values they must not
    assert output_type.interpolatable is not isinstance(output_type, _LABEL_TYPES)
    if isinstance(output_type, EmbeddingArray):
        assert output_type.embedding_dims == channels
    else:  # one channel per named class
        assert len(output_type.classes) == channels
    torch.manual_seed(0)
    model = task.create_model(architecture).eval()  # eval: with the eval activation
    try:
        with torch.no_grad():
            prediction = model(torch.randn((1, 1) + tuple(INPUT_SHAPE)))
    finally:
        model.train()  # the architecture is shared by the module's tests
    assert prediction.dtype.is_floating_point and torch.all(torch.isfinite(prediction))


def test_task_exposes_parameters_and_scores(case):
    task, _, _ = case
    parameters = task.parameters
    assert parameters and all(isinstance(p, PostProcessorParameters) for p in parameters)
    assert [p.id for p in parameters] == list(range(len(parameters)))
    assert isinstance(task.evaluation_scores, EvaluationScores)
    assert task.evaluation_scores.criteria


def test_loss_decreases_on_one_batch(case, architecture):
    task, gt, _ = case
    torch.manual_seed(0)
    model = task.create_model(architecture)
    target = task.predictor.create_target(gt)
    weight, _ = task.predictor.create_weight(gt, target, None, None)
    raw = torch.randn((1, 1) + tuple(INPUT_SHAPE), generator=torch.Generator().manual_seed(1))
    target_t = torch.as_tensor(target.data)[None]
    weight_t = torch.as_tensor(weight.data)[None]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = task.loss.compute(model(raw), target_t, weight_t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.97 * losses[0], losses
