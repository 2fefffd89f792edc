import math

import numpy as np
import pytest
import torch
from scipy import ndimage

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
    # dice = (2 * 0.5 + 1) / (0.5² + 0.5² + 1² + 0² + 1) = 2 / 2.5 = 0.8
    loss = DiceLoss(activation).compute(prediction, target)
    assert loss.item() == pytest.approx(0.2, rel=1e-6)


def test_dice_loss_weights_voxels():
    prediction, target = _t([[0.0, 0.0]]), _t([[1.0, 0.0]])
    # the second voxel weighs 0: dice = (2 * 0.5 + 1) / (0.5² + 1² + 1) = 2 / 2.25
    loss = DiceLoss("sigmoid").compute(prediction, target, _t([[1.0, 0.0]]))
    assert loss.item() == pytest.approx(1 - 2 / 2.25, rel=1e-6)
    perfect = DiceLoss("sigmoid", smooth=1e-6).compute(_t([[50.0, -50.0]]), target)
    assert perfect.item() == pytest.approx(0.0, abs=1e-5)


def _distance_target():
    """tanh-normalised signed distances of a 6x6 square in a 16x16 crop, (1, 1, 16, 16)."""
    inside = np.zeros((16, 16), dtype=bool)
    inside[5:11, 5:11] = True
    distances = np.where(
        inside, ndimage.distance_transform_edt(inside), -ndimage.distance_transform_edt(~inside)
    )
    return torch.tensor(np.tanh(distances / 3.0), dtype=torch.float32)[None, None]


def test_dice_of_soft_targets_is_lowest_at_the_target():
    target = _distance_target()
    loss = DiceLoss("tanh", smooth=1e-6)
    exact = loss.compute(torch.atanh(target.clamp(-0.999999, 0.999999)), target)
    binary = loss.compute(20 * torch.sign(target), target)  # a segmentation, no distances
    constant = loss.compute(torch.zeros_like(target), target)
    assert exact.item() == pytest.approx(0.0, abs=1e-5)
    assert exact.item() < binary.item() and exact.item() < constant.item()


def test_optimising_dice_on_distances_learns_the_distances():
    # a tiny fixed problem: a 3x3 convolution from a noisy image to the distances
    torch.manual_seed(0)
    target = _distance_target()
    image = (target > 0).float() + 0.1 * torch.randn_like(target)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 1, 3, padding=1)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss = DiceLoss("tanh")
    weight = torch.ones_like(target)
    losses = []
    for _ in range(300):
        optimizer.zero_grad()
        value = loss.compute(model(image), target, weight)
        value.backward()
        optimizer.step()
        losses.append(value.item())
    assert losses[-1] < 0.25 * losses[0]
    with torch.no_grad():
        error = (torch.tanh(model(image)) - target).abs().mean().item()
    assert error < 0.1  # the distances themselves, not just their sign


def test_losses_are_differentiable():
    prediction = torch.zeros(1, 2, 2, 2, requires_grad=True)
    target = torch.ones(1, 2, 2, 2)
    for loss in (MSELoss(), AffinitiesLoss(1), HotDistanceLoss(), DiceLoss()):
        loss.compute(prediction, target, torch.ones_like(target)).backward()
    assert prediction.grad is not None and torch.all(torch.isfinite(prediction.grad))


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (
            lambda: AffinitiesLoss(0),
            "AffinitiesLoss: `num_affinities` must be an integer >= 1, got 0",
        ),
        (
            lambda: AffinitiesLoss(3, -1.0),
            "AffinitiesLoss: `lsds_to_affs_weight_ratio` must be a finite number >= 0, got -1.0",
        ),
        (lambda: DiceLoss("relu"), r"DiceLoss: `activation` must be one of .*, got 'relu'"),
        (lambda: DiceLoss(smooth=0), "DiceLoss: `smooth` must be a finite number > 0, got 0"),
    ],
)
def test_bad_arguments_are_errors(factory, message):
    with pytest.raises(ConfigError, match=message):
        factory()
