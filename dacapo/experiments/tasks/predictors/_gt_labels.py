"""Ground truth that a predictor reads as labels: integer or boolean, never negative.

A float volume (probabilities, intensities, a label volume saved as float)
given to a task that reads labels would make every non-zero voxel foreground;
a negative id (often "unknown") would count as an object. Both are refused,
by dtype once per training dataset and by value per sample (see
``dacapo.experiments.trainers._gt_checks``), unless the dataset opts in with
``trust_gt=True`` on its ``RawGTDatasetConfig``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dacapo.errors import ConfigError

__all__ = ["LABEL_KINDS", "OPT_IN", "require_label_dtype", "require_no_negative_labels"]

#: numpy dtype kinds that hold labels: bool, signed and unsigned integers
LABEL_KINDS = "biu"

#: how a dataset opts out of these checks, for messages
OPT_IN = "trust_gt=True on the dataset's RawGTDatasetConfig (or SimpleDataSplitConfig)"


def require_label_dtype(dtype: Any, labels: str, where: str) -> None:
    """``ConfigError`` unless ``dtype`` holds ``labels`` (bool or integer).

    ``labels`` says what the values mean, e.g. ``"instance ids (0 =
    background)"``; ``where`` names the dataset, its ground truth and the task.
    """
    dtype = np.dtype(dtype)
    if dtype.kind in LABEL_KINDS:
        return
    raise ConfigError(
        f"{where}: the ground truth has dtype {dtype}, but this task reads it as {labels}, "
        "which must be integers or booleans (a float volume would make every non-zero "
        "voxel foreground); convert it to integer labels (e.g. threshold it, or wrap it "
        f"in a BinarizeArrayConfig), or, if its values really are labels, set {OPT_IN}"
    )


def require_no_negative_labels(data: np.ndarray, labels: str, where: str) -> None:
    """``ConfigError`` when ``data`` (a sample of signed ground truth) holds a value below 0."""
    if data.dtype.kind not in "if" or data.size == 0:
        return
    low = data.min()
    if low >= 0:
        return
    negative = np.unique(data[data < 0])[:5].tolist()
    raise ConfigError(
        f"{where}: the ground truth holds negative values (e.g. {negative}), but this task "
        f"reads it as {labels}, where a negative id would count as an object; map them "
        "to 0 (background) and mask them out if they mean 'unknown', or, if they really "
        f"are labels, set {OPT_IN}"
    )
