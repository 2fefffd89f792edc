"""Experiment tracking: training loss, learning rate and validation scores of
a run, sent to TensorBoard and (optionally) MLflow while it trains.

``create_tracker(run, start_iteration)`` builds a ``RunTracker`` with the
writers the options ask for:

- ``tensorboard: true`` (the default): event files in
  ``<runs_base_dir>/<run>/tensorboard/`` (``tensorboard --logdir
  <runs_base_dir>`` shows every run);
- ``mlflow_tracking_uri: <uri>``: an MLflow run per dacapo run (needs the
  ``mlflow`` extra).

Scalars: ``train/loss`` and ``train/learning_rate`` at every iteration,
``validation/<dataset>/<criterion>`` (the best over post-processing
parameter sets) at every validated iteration.
"""

from dacapo.tracking._factory import create_tracker, tensorboard_dir
from dacapo.tracking.tracker import RunTracker, validation_metrics
from dacapo.tracking.writer import MetricsWriter

__all__ = [
    "create_tracker",
    "tensorboard_dir",
    "RunTracker",
    "validation_metrics",
    "MetricsWriter",
]
