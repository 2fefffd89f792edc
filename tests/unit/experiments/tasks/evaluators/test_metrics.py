"""Binary and instance metrics on tiny hand-checked examples."""

import math

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.tasks.evaluators import _metrics as m

SQRT2 = math.sqrt(2)

# 5 x 5, voxel size (1, 1). Truth T is the 3 x 3 square rows/cols 1-3; the
# prediction P is the 2 x 2 square rows/cols 1-2 (inside T) plus one false
# positive at (4, 4):
#
#   truth        prediction
#   . . . . .    . . . . .
#   . T T T .    . P P . .
#   . T T T .    . P P . .
#   . T T T .    . . . . .
#   . . . . .    . . . . P
#
# TP = 4, FP = 1, FN = 5, TN = 25 - 10 = 15.
TRUTH = np.zeros((5, 5), dtype=np.uint8)
TRUTH[1:4, 1:4] = 1
TEST = np.zeros((5, 5), dtype=np.uint8)
TEST[1:3, 1:3] = 1
TEST[4, 4] = 1
VOXEL_SIZE = (1, 1)


def _h(*probabilities):
    return -sum(p * math.log2(p) for p in probabilities if p)


# Distances of predicted voxels to T: the four inside are 0, (4, 4) -> (3, 3)
# is sqrt(2). Distances of truth voxels to P: the four shared ones 0,
# (1, 3), (2, 3), (3, 1), (3, 2) are 1 away, (3, 3) is sqrt(2) from (2, 2)
# and from (4, 4).
FP_DISTANCES = [0, 0, 0, 0, SQRT2]
FN_DISTANCES = [0, 0, 0, 0, 1, 1, 1, 1, SQRT2]
CLIP, TOL = 1.2, 1.0

EXPECTED = {
    "dice": 2 * 4 / (2 * 4 + 1 + 5),  # 4/7
    "jaccard": 4 / (4 + 1 + 5),
    "hausdorff": SQRT2,
    "false_negative_rate": 5 / 9,  # FN / |T|
    "false_positive_rate": 1 / 16,  # FP / |background of T|
    "false_discovery_rate": 1 / 5,  # FP / |P|
    "precision": 4 / 5,
    "recall": 4 / 9,
    "f1_score": 4 / 7,  # 2 * (4/5)(4/9) / (4/5 + 4/9)
    # split = H(P|T): T (9/25) holds 4 P, 5 not; background (16/25) holds 1 P
    # merge = H(T|P): P (5/25) holds 4 T, 1 not; the rest (20/25) 5 T, 15 not
    "voi": 9 / 25 * _h(4 / 9, 5 / 9)
    + 16 / 25 * _h(1 / 16, 15 / 16)
    + 5 / 25 * _h(4 / 5, 1 / 5)
    + 20 / 25 * _h(5 / 20, 15 / 20),
    "mean_false_positive_distance": SQRT2 / 5,
    "mean_false_negative_distance": (4 + SQRT2) / 9,
    "mean_false_distance": 0.5 * (SQRT2 / 5 + (4 + SQRT2) / 9),
    # sqrt(2) clipped to 1.2; the 1s stay
    "mean_false_positive_distance_clipped": 1.2 / 5,
    "mean_false_negative_distance_clipped": (4 + 1.2) / 9,
    "mean_false_distance_clipped": 0.5 * (1.2 / 5 + 5.2 / 9),
    # tolerance 1: only the two sqrt(2) distances are errors
    "false_positive_rate_with_tolerance": 1 / 16,
    "false_negative_rate_with_tolerance": 1 / 9,
    "precision_with_tolerance": 4 / 5,
    "recall_with_tolerance": 8 / 9,
    "f1_score_with_tolerance": 16 / 19,  # 2 * (4/5)(8/9) / (4/5 + 8/9)
}


def test_expected_table_covers_every_metric():
    assert set(EXPECTED) == set(m.BINARY_METRICS) and len(m.BINARY_METRICS) == 21


@pytest.mark.parametrize("metric", sorted(EXPECTED))
def test_binary_metric_on_hand_example(metric):
    metrics = m.binary_metrics(TEST, TRUTH, VOXEL_SIZE, clip_distance=CLIP, tol_distance=TOL)
    assert metrics[metric] == pytest.approx(EXPECTED[metric], rel=1e-6)


def test_single_metric_functions_match_the_table():
    assert m.dice(TEST, TRUTH) == pytest.approx(EXPECTED["dice"])
    assert m.jaccard(TEST, TRUTH) == pytest.approx(EXPECTED["jaccard"])
    assert m.precision(TEST, TRUTH) == pytest.approx(EXPECTED["precision"])
    assert m.recall(TEST, TRUTH) == pytest.approx(EXPECTED["recall"])
    assert m.f1_score(TEST, TRUTH) == pytest.approx(EXPECTED["f1_score"])
    assert m.false_positive_rate(TEST, TRUTH) == pytest.approx(1 / 16)
    assert m.false_negative_rate(TEST, TRUTH) == pytest.approx(5 / 9)
    assert m.false_discovery_rate(TEST, TRUTH) == pytest.approx(1 / 5)
    assert m.binary_voi(TEST, TRUTH) == pytest.approx(EXPECTED["voi"])
    assert m.hausdorff(TEST, TRUTH, VOXEL_SIZE) == pytest.approx(SQRT2, rel=1e-6)
    assert m.overlap_counts(TEST, TRUTH) == (4, 1, 5, 15)


def test_false_distances_by_hand():
    fp, fn = m.false_distances(TEST, TRUTH, VOXEL_SIZE)
    assert sorted(fp) == pytest.approx(FP_DISTANCES, rel=1e-6)
    assert sorted(fn) == pytest.approx(FN_DISTANCES, rel=1e-6)


def test_tolerance_is_exclusive_and_large_tolerance_forgives_everything():
    # the farthest error is sqrt(2) away: a tolerance of 1.5 forgives it
    metrics = m.binary_metrics(TEST, TRUTH, VOXEL_SIZE, clip_distance=CLIP, tol_distance=1.5)
    assert metrics["false_negative_rate_with_tolerance"] == 0.0
    assert metrics["f1_score_with_tolerance"] == 1.0
    # exactly at the tolerance is not an error: the four FN at distance 1
    metrics = m.binary_metrics(TEST, TRUTH, VOXEL_SIZE, clip_distance=CLIP, tol_distance=0.999)
    assert metrics["false_negative_rate_with_tolerance"] == pytest.approx(5 / 9)


def test_distances_use_the_voxel_size():
    mask = np.zeros((3, 3), dtype=bool)
    mask[1, 1] = True
    # voxel size (2, 1): the corner (0, 0) is sqrt(2^2 + 1^2) away from the centre
    distances = m.distance_to(mask, (2, 1))
    assert distances[0, 0] == pytest.approx(math.sqrt(5), rel=1e-6)
    assert distances[0, 1] == pytest.approx(2.0)
    assert distances[1, 0] == pytest.approx(1.0)
    assert distances[1, 1] == 0.0


def test_distances_in_four_dimensions_and_one():
    mask = np.zeros((2, 2, 2, 2), dtype=bool)
    mask[0, 0, 0, 0] = True
    assert m.distance_to(mask, (1, 1, 1, 3))[1, 1, 1, 1] == pytest.approx(math.sqrt(12))
    assert m.distance_to(np.array([0, 0, 1]), (2,)).tolist() == [4, 2, 0]


def test_distance_to_an_empty_mask_is_the_volume_diagonal():
    # 5 x 5 voxels of size (1, 2): extent 5 x 10, diagonal sqrt(125)
    distances = m.distance_to(np.zeros((5, 5)), (1, 2))
    assert np.all(distances == pytest.approx(math.sqrt(125)))


# ------------------------------------------------------------ empty masks ---


def _metrics_of(test, truth):
    return m.binary_metrics(test, truth, VOXEL_SIZE, clip_distance=CLIP, tol_distance=TOL)


def test_two_empty_masks_score_perfectly():
    empty = np.zeros((5, 5))
    metrics = _metrics_of(empty, empty)
    perfect = {name: 1.0 for name in ("dice", "jaccard", "precision", "recall", "f1_score")}
    perfect.update({f"{n}_with_tolerance": 1.0 for n in ("precision", "recall", "f1_score")})
    for name, value in metrics.items():
        assert value == perfect.get(name, 0.0), name


def test_empty_prediction_of_a_non_empty_truth():
    metrics = _metrics_of(np.zeros((5, 5)), TRUTH)
    far = math.sqrt(50)  # the diagonal of 5 x 5 unit voxels
    assert not any(math.isnan(v) for v in metrics.values())
    assert metrics["dice"] == metrics["jaccard"] == metrics["f1_score"] == 0.0
    assert metrics["recall"] == 0.0 and metrics["false_negative_rate"] == 1.0
    assert metrics["precision"] == 1.0 and metrics["false_discovery_rate"] == 0.0
    assert metrics["false_positive_rate"] == 0.0
    assert metrics["hausdorff"] == pytest.approx(far)
    assert metrics["mean_false_negative_distance"] == pytest.approx(far)
    assert metrics["mean_false_positive_distance"] == 0.0
    assert metrics["mean_false_negative_distance_clipped"] == pytest.approx(CLIP)
    assert metrics["recall_with_tolerance"] == 0.0
    assert metrics["f1_score_with_tolerance"] == 0.0


def test_non_empty_prediction_of_an_empty_truth():
    metrics = _metrics_of(TEST, np.zeros((5, 5)))
    assert not any(math.isnan(v) for v in metrics.values())
    assert metrics["precision"] == 0.0 and metrics["false_discovery_rate"] == 1.0
    assert metrics["recall"] == 1.0 and metrics["false_negative_rate"] == 0.0
    assert metrics["false_positive_rate"] == pytest.approx(5 / 25)
    assert metrics["dice"] == 0.0
    assert metrics["mean_false_positive_distance"] == pytest.approx(math.sqrt(50))
    assert metrics["false_positive_rate_with_tolerance"] == pytest.approx(5 / 25)


def test_truth_without_background_has_zero_false_positive_rate():
    full = np.ones((5, 5))
    metrics = _metrics_of(TEST, full)
    assert metrics["false_positive_rate"] == 0.0
    assert metrics["false_positive_rate_with_tolerance"] == 0.0
    assert metrics["precision"] == 1.0


def test_binary_shape_and_voxel_size_errors():
    with pytest.raises(ConfigError, match=r"prediction has shape \(5, 5\) but ground truth"):
        m.dice(TEST, TRUTH[:4])
    with pytest.raises(ConfigError, match=r"voxel size \(1, 1, 1\) has 3 values for a 2-dim"):
        m.distance_to(TRUTH, (1, 1, 1))


# -------------------------------------------------------------- instances ---


def test_adapted_rand_error_of_identical_segmentations_is_zero():
    labels = np.array([[1, 1, 2], [0, 3, 3]])
    assert m.adapted_rand_error(labels, labels) == 0.0
    assert m.adapted_rand_error(labels + 10, labels) == 0.0


def test_adapted_rand_error_of_a_merge_by_hand():
    truth = np.array([1, 1, 2, 2])
    test = np.array([1, 1, 1, 1])
    # pairs of distinct voxels: same truth 2 + 2 = 4 ordered pairs, same test
    # 4 * 3 = 12, same in both 4 -> precision 4/12, recall 4/4, F = 0.5
    assert m.adapted_rand_error(test, truth) == pytest.approx(0.5)


def test_adapted_rand_error_ignores_truth_background():
    # outside truth objects the prediction may do anything
    assert m.adapted_rand_error(np.array([5, 6, 1, 1]), np.array([0, 0, 1, 1])) == 0.0
    assert m.adapted_rand_error(np.array([5, 6]), np.array([0, 0])) == 0.0


def test_adapted_rand_error_agrees_with_scikit_image():
    from skimage.metrics import adapted_rand_error

    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, (8, 9))
    test = rng.integers(0, 5, (8, 9))
    expected, _, _ = adapted_rand_error(truth, test)
    assert m.adapted_rand_error(test, truth) == pytest.approx(expected)


def test_instance_f1_by_hand():
    truth = np.array([1, 1, 1, 1, 2, 2, 0, 0, 0, 3])
    test = np.array([7, 7, 7, 0, 8, 8, 8, 8, 8, 9])
    # IoU(1, 7) = 3/4 (match), IoU(2, 8) = 2/5 (no), IoU(3, 9) = 1 (match)
    # F1 = 2 * 2 matches / (3 truth + 3 predicted objects) = 2/3
    assert m.instance_f1(test, truth) == pytest.approx(2 / 3)


def test_instance_f1_matches_at_exactly_half_and_only_once():
    assert m.instance_f1(np.array([1, 0]), np.array([1, 1])) == 1.0  # IoU 1/2
    # both halves have IoU 1/2 with the one truth object: one match, F1 = 2/3
    assert m.instance_f1(np.array([1, 1, 2, 2]), np.array([1, 1, 1, 1])) == pytest.approx(2 / 3)


def test_instance_f1_without_objects():
    background = np.zeros(4, dtype=np.uint8)
    assert m.instance_f1(background, background) == 1.0
    assert m.instance_f1(background, np.array([0, 1, 1, 0])) == 0.0
    assert m.instance_f1(np.array([0, 1, 1, 0]), background) == 0.0


def test_instance_metrics_from_table_of_identical_labels():
    from dacapo.utils.voi import contingency_table

    labels = np.array([0, 1, 1, 2, 2, 2])
    metrics = m.instance_metrics_from_table(contingency_table(labels, labels))
    assert metrics == {
        "voi_split": 0.0,
        "voi_merge": 0.0,
        "adapted_rand_error": 0.0,
        "instance_f1": 1.0,
    }
