"""MLflow: one MLflow run per dacapo run, in the experiment ``dacapo``.

The MLflow run carries the tag ``dacapo.run_name``; training that resumes
finds it by that tag and goes on logging into it. The run config is logged
as parameters (nested fields joined with dots). Metrics are buffered and
sent in batches, at least at every checkpoint. MLflow keeps every value it
was sent: a run resumed after a crash may hold two values for the iterations
between its last checkpoint and the crash.

Needs the ``mlflow`` extra (``pip install 'dacapo-ml[mlflow]'``, which
installs ``mlflow-skinny``).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Dict, List, Mapping, Optional

from dacapo.tracking.writer import MetricsWriter

logger = logging.getLogger(__name__)

__all__ = ["MLflowWriter", "config_params", "EXPERIMENT", "RUN_NAME_TAG"]

EXPERIMENT = "dacapo"
RUN_NAME_TAG = "dacapo.run_name"
#: MLflow accepts at most 1000 metrics and 100 parameters per batch
_METRICS_PER_BATCH, _PARAMS_PER_BATCH = 1000, 100
#: parameter values are cut to this length (older MLflow servers allow 500)
_PARAM_LENGTH = 500


class MLflowWriter(MetricsWriter):
    """Logs to the MLflow run of ``run_name`` (created, or found and resumed).

    Args:
        params: The run's parameters (``config_params``); those the MLflow
            run already holds are not logged again.
        client: An ``mlflow.tracking.MlflowClient`` (default: one for
            ``tracking_uri``).
    """

    def __init__(
        self,
        tracking_uri: str,
        run_name: str,
        params: Optional[Mapping[str, str]] = None,
        client: Any = None,
        experiment: str = EXPERIMENT,
    ):
        if client is None:
            from mlflow.tracking import MlflowClient

            client = MlflowClient(tracking_uri=tracking_uri)
        self.client, self.run_name, self.tracking_uri = client, run_name, tracking_uri
        self.run_id = _find_or_create_run(client, _experiment_id(client, experiment), run_name)
        _log_new_params(client, self.run_id, run_name, params or {})
        self._pending: List[Any] = []

    def __repr__(self) -> str:
        return f"MLflowWriter({self.tracking_uri!r}, run_id={self.run_id!r})"

    def log_scalars(self, metrics: Mapping[str, float], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        self._pending.extend(
            Metric(metric_key(tag), float(value), now, int(step)) for tag, value in metrics.items()
        )
        if len(self._pending) >= _METRICS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        while self._pending:
            batch = self._pending[:_METRICS_PER_BATCH]
            self.client.log_batch(self.run_id, metrics=batch)
            del self._pending[: len(batch)]

    def close(self, status: str = "FINISHED") -> None:
        self.flush()
        self.client.set_terminated(self.run_id, status=status)


def metric_key(tag: str) -> str:
    """``tag`` with the characters MLflow refuses in keys replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9_\-. /]", "_", tag)


def config_params(config: Any) -> Dict[str, str]:
    """A config's fields as MLflow parameters: nested fields and list items
    joined with dots (``task_config.channels.0``), values as text."""
    from dacapo.store.converter import converter

    params: Dict[str, str] = {}
    _flatten(converter.unstructure(config), "", params)
    return params


def _flatten(value: Any, prefix: str, into: Dict[str, str]) -> None:
    if isinstance(value, dict) and value:
        items = list(value.items())
    elif isinstance(value, (list, tuple)) and value:
        items = list(enumerate(value))
    else:
        into[metric_key(prefix or "value")] = str(value)[:_PARAM_LENGTH]
        return
    for key, item in items:
        _flatten(item, f"{prefix}.{key}" if prefix else str(key), into)


def _experiment_id(client: Any, name: str) -> str:
    """The id of the experiment ``name``, created (or restored) when needed."""
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        try:
            return client.create_experiment(name)
        except Exception:  # created meanwhile by a run training beside this one
            experiment = client.get_experiment_by_name(name)
            if experiment is None:
                raise
    if getattr(experiment, "lifecycle_stage", "active") == "deleted":
        client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


def _find_or_create_run(client: Any, experiment_id: str, run_name: str) -> str:
    """The id of the MLflow run tagged with ``run_name`` (set running again), or
    of a new one."""
    found = _find_run(client, experiment_id, run_name)
    if found is not None:
        client.update_run(found, status="RUNNING")
        logger.info("MLflow: run %r resumes MLflow run %s", run_name, found)
        return found
    created = client.create_run(experiment_id, run_name=run_name, tags={RUN_NAME_TAG: run_name})
    logger.info("MLflow: run %r logs to the new MLflow run %s", run_name, created.info.run_id)
    return created.info.run_id


def _find_run(client: Any, experiment_id: str, run_name: str) -> Optional[str]:
    """The newest MLflow run whose ``dacapo.run_name`` tag is ``run_name``."""
    quote = "'" if "'" not in run_name else '"'
    if quote in run_name:  # both quotes: filter here instead of in the query
        runs = client.search_runs([experiment_id], max_results=1000,
                                  order_by=["attributes.start_time DESC"])
        runs = [r for r in runs if r.data.tags.get(RUN_NAME_TAG) == run_name]
    else:
        runs = client.search_runs(
            [experiment_id], filter_string=f"tags.`{RUN_NAME_TAG}` = {quote}{run_name}{quote}",
            max_results=1, order_by=["attributes.start_time DESC"],
        )
    return runs[0].info.run_id if runs else None


def _log_new_params(client: Any, run_id: str, run_name: str, params: Mapping[str, str]) -> None:
    """Logs the parameters the MLflow run does not hold yet (MLflow refuses to
    change a logged parameter; changed ones are reported instead)."""
    from mlflow.entities import Param

    existing = client.get_run(run_id).data.params
    changed = sorted(k for k, v in params.items() if k in existing and existing[k] != v)
    if changed:
        logger.warning("MLflow: the config of run %r changed since its MLflow run was made "
                       "(%s); MLflow keeps the first values", run_name, ", ".join(changed))
    new = [Param(k, v) for k, v in params.items() if k not in existing]
    for start in range(0, len(new), _PARAMS_PER_BATCH):
        client.log_batch(run_id, params=new[start : start + _PARAMS_PER_BATCH])
