"""``create_tracker``: the writers the options ask for, each optional.

A writer that cannot start (a package missing, a server unreachable, a
runs directory that is a URL) is reported with a warning and left out;
training goes on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional

from dacapo.options import DaCapoConfig, Options
from dacapo.tracking.tracker import RunTracker
from dacapo.tracking.writer import MetricsWriter

if TYPE_CHECKING:
    from dacapo.experiments.run import Run

logger = logging.getLogger(__name__)

__all__ = ["create_tracker", "tensorboard_dir"]


def create_tracker(
    run: "Run", start_iteration: int = 0, options: Optional[DaCapoConfig] = None
) -> RunTracker:
    """The tracker of ``run``, which trains on from ``start_iteration``.

    The writers that purge on resume (TensorBoard) get the scores of
    ``start_iteration`` again, when the run holds them.
    """
    options = Options.instance() if options is None else options
    writers = [
        writer
        for writer in (
            _tensorboard_writer(run.name, options, start_iteration),
            _mlflow_writer(run.name, options),
        )
        if writer is not None
    ]
    tracker = RunTracker(run.name, writers)
    tracker.resume(run.validation_scores, start_iteration)
    return tracker


def tensorboard_dir(runs_base_dir: Path, run_name: str) -> Path:
    """Where the TensorBoard event files of ``run_name`` go."""
    return runs_base_dir / run_name / "tensorboard"


def _tensorboard_writer(
    run_name: str, options: DaCapoConfig, start: int
) -> Optional[MetricsWriter]:
    from dacapo.store._files import is_local

    if not options.tensorboard:
        return None
    log_dir = tensorboard_dir(options.runs_base_dir, run_name)
    if not is_local(log_dir):
        logger.warning("run %r: no TensorBoard event files: runs_base_dir %s is not a local "
                       "directory (set tensorboard: false in the options to silence this)",
                       run_name, options.runs_base_dir)
        return None
    try:
        from dacapo.tracking.tensorboard_writer import TensorBoardWriter

        return TensorBoardWriter(log_dir, purge_step=start)
    except Exception as error:  # e.g. the tensorboard package is missing
        logger.warning("run %r: no TensorBoard event files (%s: %s); training goes on",
                       run_name, type(error).__name__, error)
        return None


def _mlflow_writer(run_name: str, options: DaCapoConfig) -> Optional[MetricsWriter]:
    uri = options.mlflow_tracking_uri
    if not uri:
        return None
    try:
        import mlflow.tracking  # noqa: F401 - is the extra installed?
    except ImportError:
        logger.warning("run %r: the options name mlflow_tracking_uri %r, but mlflow is not "
                       "installed; install it with pip install 'dacapo-ml[mlflow]'. Training "
                       "goes on without MLflow", run_name, uri)
        return None
    try:
        from dacapo.tracking.mlflow_writer import MLflowWriter

        return MLflowWriter(uri, run_name, _run_params(run_name))
    except Exception as error:  # e.g. the server cannot be reached
        logger.warning("run %r: cannot log to MLflow at %r (%s: %s); training goes on without "
                       "MLflow", run_name, uri, type(error).__name__, error, exc_info=True)
        return None


def _run_params(run_name: str) -> Dict[str, Any]:
    """The stored run config as MLflow parameters (only the name when the run
    was never stored, e.g. ``train_run(Run(config))``)."""
    from dacapo.errors import DacapoError
    from dacapo.store.create_store import create_config_store
    from dacapo.tracking.mlflow_writer import config_params

    try:
        return config_params(create_config_store().retrieve_run_config(run_name))
    except DacapoError as error:
        logger.info("MLflow: run %r has no stored config (%s); only its name is logged",
                    run_name, error)
        return {"name": run_name}
