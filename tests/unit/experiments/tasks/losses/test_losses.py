import math

import pytest
import torch

from dacapo.errors import ConfigError
from dacapo.experiments.tasks.losses import (
    AffinitiesLoss,
    CrossEntropyLoss,
    DiceLoss,
    DummyLoss,
    HotDistanceLoss,
    Loss,
    MSELoss,
)

LN2 = math.log(2.0)


def _t(values):
    """(1, channels, 1, n) tensor from a list of per-channel lists."""
    return torch.tensor(values, dtype=torch.float32)[None, :, None, :]


def test_loss_is_abstract():
    with pytest.raises(TypeError):
        Loss()


def test_weighted_mse_hand_checked():
    prediction, target = _t([[1, 2, 3, 4]]), _t([[1, 1, 1, 1]])
    weight = _t([[1, 0, 2, 0.5]])
    # squared errors 0, 1, 4, 9; weighted 0, 0, 8, 4.5
    assert MSELoss().compute(prediction, target, weight).item() == pytest.approx(12.5 / 4)
    assert MSELoss().compute(prediction, target).item() == pytest.approx(14 / 4)


def test_dummy_loss_is_the_mean_absolute_error():
    assert DummyLoss().compute(_t([[1, -2]]), _t([[0, 0]])).item() == pytest.approx(1.5)
    assert DummyLoss().compute(_t([[1, -2]]), _t([[0, 0]]), _t([[2, 0]])).item() == pytest.approx(
        1.0
    )


def test_affinities_loss_is_weighted_bce_without_lsds():
    loss = AffinitiesLoss(2)
    prediction = _t([[math.log(3)], [math.log(3)]])  # sigmoid 0.75
    target = _t([[1], [0]])
    unweighted = (-math.log(0.75) - math.log(0.25)) / 2
    assert loss.compute(prediction, target).item() == pytest.approx(unweighted, rel=1e-6)
    weighted = (1 * -math.log(0.75) + 3 * -math.log(0.25)) / 2
    assert loss.compute(prediction, target, _t([[1], [3]])).item() == pytest.approx(
        weighted, rel=1e-6
    )
    zero = loss.compute(prediction, target, _t([[0], [0]]))
    assert zero.item() == 0


def test_affinities_loss_adds_weighted_lsd_error():
    loss = AffinitiesLoss(1, lsds_to_affs_weight_ratio=0.5)
    prediction = _t([[0.0], [0.0]])  # affinity logit 0 (BCE ln 2), LSD sigmoid 0.5
    target = _t([[1.0], [1.0]])
    weight = _t([[1.0], [2.0]])
    # ln 2 + 0.5 * 2 * (0.5 - 1)^2
    assert loss.compute(prediction, target, weight).item() == pytest.approx(LN2 + 0.25, rel=1e-6)


def test_hot_distance_loss_hand_checked():
    prediction = _t([[0.0], [0.5]])
    target = _t([[1.0], [0.0]])
    assert HotDistanceLoss().compute(prediction, target).item() == pytest.approx(
        LN2 + 0.25, rel=1e-6
    )
    weight = _t([[2.0], [4.0]])
    assert HotDistanceLoss().compute(prediction, target, weight).item() == pytest.approx(
        2 * LN2 + 1.0, rel=1e-6
    )


def test_cross_entropy_is_weighted_per_voxel():
    prediction = _t([[0.0, 0.0], [math.log(3), math.log(3)]])  # softmax (0.25, 0.75)
    target = torch.tensor([[[1, 0]]])
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    assert CrossEntropyLoss().compute(prediction, target).item() == pytest.approx(
        expected, rel=1e-6
    )
    weight = torch.tensor([[[2.0, 0.0]]])
    assert CrossEntropyLoss().compute(prediction, target, weight).item() == pytest.approx(
        -math.log(0.75), rel=1e-6
    )
    # a float target with a channel axis is read as class ids too
    assert CrossEntropyLoss().compute(prediction, target[:, None].float()).item() == pytest.approx(
        expected, rel=1e-6
    )


@pytest.mark.parametrize(
    ("activation", "prediction", "target"),
    [
        ("sigmoid", _t([[0.0, 0.0]]), _t([[1.0, 0.0]])),
        ("tanh", _t([[0.0, 0.0]]), _t([[1.0, -1.0]])),
        ("softmax", _t([[0.0, 0.0], [0.0, 0.0]]), torch.tensor([[[0, 1]]])),
    ],
)
def test_dice_loss_hand_checked(activation, prediction, target):
    # p = 0.5 everywhere, one of two voxels in the target (per channel):
    # dice = (2 * 0.5 + 1) / (1 + 1 + 1) = 2/3
    loss = DiceLoss(activation).compute(prediction, target)
    assert loss.item() == pytest.approx(1 / 3, rel=1e-6)


def test_dice_loss_weights_voxels():
    prediction, target = _t([[0.0, 0.0]]), _t([[1.0, 0.0]])
    # the second voxel weighs 0: dice = (2 * 0.5 + 1) / (0.5 + 1 + 1) = 0.8
    loss = DiceLoss("sigmoid").compute(prediction, target, _t([[1.0, 0.0]]))
    assert loss.item() == pytest.approx(0.2, rel=1e-6)
    perfect = DiceLoss("sigmoid", smooth=1e-6).compute(_t([[50.0, -50.0]]), target)
    assert perfect.item() == pytest.approx(0.0, abs=1e-5)


def test_losses_are_differentiable():
    prediction = torch.zeros(1, 2, 2, 2, requires_grad=True)
    target = torch.ones(1, 2, 2, 2)
    for loss in (MSELoss(), AffinitiesLoss(1), HotDistanceLoss(), DiceLoss()):
        loss.compute(prediction, target, torch.ones_like(target)).backward()
    assert prediction.grad is not None and torch.all(torch.isfinite(prediction.grad))


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: AffinitiesLoss(0), "num_affinities must be an integer >= 1"),
        (lambda: AffinitiesLoss(3, -1.0), "lsds_to_affs_weight_ratio must be a finite number >= 0"),
        (lambda: DiceLoss("relu"), "activation must be one of"),
        (lambda: DiceLoss(smooth=0), "smooth must be a finite number > 0"),
    ],
)
def test_bad_arguments_are_errors(factory, message):
    with pytest.raises(ConfigError, match=message):
        factory()
