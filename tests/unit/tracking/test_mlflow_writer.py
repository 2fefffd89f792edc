"""``MLflowWriter``: one MLflow run per dacapo run, found again on resume,
with the run config as parameters and the metrics read back from a local
MLflow store (``mlflow-skinny`` is in the ``test`` extra)."""

from __future__ import annotations

import logging

import pytest
import yaml

from dacapo.store.create_store import create_config_store, create_stats_store
from dacapo.tracking.mlflow_writer import RUN_NAME_TAG, MLflowWriter, metric_key
from dacapo.train import train_run
from tests.unit.tracking.test_train_tracking import fake_validation, make_run, run_config

pytest.importorskip("mlflow")

FID = "frechet_inception_distance"


@pytest.fixture
def mlflow_uri(runs_base_dir, tmp_path, monkeypatch):
    """A local MLflow store named in the options (TensorBoard off)."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow >= 3.7 asks for a database
    uri = (tmp_path / "mlruns").as_uri()
    options = tmp_path / "mlflow.yaml"
    options.write_text(yaml.safe_dump({
        "runs_base_dir": str(runs_base_dir), "tensorboard": False, "mlflow_tracking_uri": uri,
    }))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    return uri


def mlflow_runs(uri, name="run"):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("dacapo")
    runs = client.search_runs([experiment.experiment_id],
                              filter_string=f"tags.`{RUN_NAME_TAG}` = '{name}'")
    return client, runs


def history(client, run, key):
    return [(m.step, m.value) for m in client.get_metric_history(run.info.run_id, key)]


def test_training_logs_the_metrics_and_the_config_to_one_mlflow_run(mlflow_uri):
    create_config_store().store_run_config(run_config(20))
    train_run(make_run(20), validate_hook=fake_validation)
    client, runs = mlflow_runs(mlflow_uri)
    (run,) = runs
    assert run.info.status == "FINISHED" and run.info.run_name == "run"
    stats = create_stats_store().retrieve_training_stats("run").iteration_stats
    assert history(client, run, "train/loss") == [
        (s.iteration, pytest.approx(s.loss)) for s in stats
    ]
    assert [step for step, _ in history(client, run, "train/learning_rate")] == list(range(20))
    assert history(client, run, f"validation/crop0/{FID}") == [(10, 10.0), (20, 20.0)]
    params = run.data.params
    assert params["name"] == "run" and params["num_iterations"] == "20"
    assert params["trainer_config.learning_rate"] == "0.001"
    assert params["task_config.__type__"] == "DummyTaskConfig"


def test_resumed_training_logs_into_the_same_mlflow_run(mlflow_uri, caplog):
    create_config_store().store_run_config(run_config(20))
    train_run(make_run(20), validate_hook=fake_validation)
    create_config_store().delete_run_config("run")
    create_config_store().store_run_config(run_config(30))
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        train_run(make_run(30), validate_hook=fake_validation)
    client, runs = mlflow_runs(mlflow_uri)
    (run,) = runs
    assert [step for step, _ in history(client, run, "train/loss")] == list(range(30))
    assert [step for step, _ in history(client, run, f"validation/crop0/{FID}")] == [10, 20, 30]
    assert run.info.status == "FINISHED" and run.data.params["num_iterations"] == "20"
    assert "the config of run 'run' changed since its MLflow run was made (num_iterations)" \
        in caplog.text


def test_metrics_are_sent_in_batches_mlflow_accepts(mlflow_uri, monkeypatch):
    writer = MLflowWriter(mlflow_uri, "batched", {"a": "1"})
    sent = []
    log_batch = writer.client.log_batch
    monkeypatch.setattr(writer.client, "log_batch",
                        lambda run_id, **kw: sent.append(len(kw["metrics"])) or log_batch(run_id, **kw))
    for step in range(600):
        writer.log_scalars({"train/loss": step, "train/learning_rate": 1.0}, step)
    assert sent == [1000]  # sent when a batch is full ...
    writer.close("KILLED")  # ... and the rest when closing
    assert sent == [1000, 200]
    client, (run,) = mlflow_runs(mlflow_uri, "batched")
    assert len(history(client, run, "train/loss")) == 600 and run.info.status == "KILLED"


def test_metric_keys_keep_only_what_mlflow_accepts():
    assert metric_key("validation/crop 0/cell__f1_score") == "validation/crop 0/cell__f1_score"
    assert metric_key("validation/crop(0)/voi") == "validation/crop_0_/voi"
