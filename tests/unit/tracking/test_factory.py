"""``create_tracker`` builds the writers the options ask for; one that cannot
start is reported and left out."""

from __future__ import annotations

import logging
import sys

import pytest

from dacapo.errors import ConfigError
from dacapo.options import DaCapoConfig, Options
from dacapo.tracking import create_tracker, tensorboard_dir
from dacapo.tracking.tensorboard_writer import TensorBoardWriter
from tests.unit.tracking.test_train_tracking import make_run


def test_tensorboard_by_default_in_the_runs_directory(runs_base_dir):
    tracker = create_tracker(make_run(), 0)
    (writer,) = tracker.writers
    assert isinstance(writer, TensorBoardWriter)
    assert writer.log_dir == tensorboard_dir(runs_base_dir, "run") == runs_base_dir / "run" / "tensorboard"
    tracker.close()


def test_no_writer_when_tensorboard_is_off_and_no_mlflow_uri(tmp_path):
    options = DaCapoConfig(runs_base_dir=tmp_path, tensorboard=False)
    assert create_tracker(make_run(), 0, options).writers == []


def test_no_event_files_in_a_runs_directory_that_is_a_url(caplog):
    options = DaCapoConfig(runs_base_dir="memory://runs")
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        assert create_tracker(make_run(), 0, options).writers == []
    assert "no TensorBoard event files: runs_base_dir memory://runs is not a local" in caplog.text


def test_an_mlflow_uri_without_mlflow_installed_is_reported(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow now fails
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    options = DaCapoConfig(runs_base_dir=tmp_path, tensorboard=False,
                           mlflow_tracking_uri="http://localhost:5000")
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        assert create_tracker(make_run(), 0, options).writers == []
    assert "mlflow is not installed; install it with pip install 'dacapo-ml[mlflow]'" in caplog.text


def test_an_mlflow_server_that_cannot_be_reached_is_reported(tmp_path, monkeypatch, caplog):
    pytest.importorskip("mlflow")

    def unreachable(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr("dacapo.tracking.mlflow_writer.MLflowWriter", unreachable)
    options = DaCapoConfig(runs_base_dir=tmp_path, tensorboard=False,
                           mlflow_tracking_uri="http://localhost:5000")
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        assert create_tracker(make_run(), 0, options).writers == []
    assert "cannot log to MLflow at 'http://localhost:5000' (ConnectionError: connection " \
        "refused); training goes on without MLflow" in caplog.text


# ----------------------------------------------------------------- options ---


def test_tracking_options_default_to_tensorboard_only():
    options = DaCapoConfig()
    assert options.tensorboard is True and options.mlflow_tracking_uri is None


def test_tracking_options_are_read_from_the_options_file(tmp_path, monkeypatch):
    path = tmp_path / "dacapo.yaml"
    path.write_text("tensorboard: false\nmlflow_tracking_uri: http://mlflow:5000\n")
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(path))
    options = Options.instance()
    assert (options.tensorboard, options.mlflow_tracking_uri) == (False, "http://mlflow:5000")
    assert options.serialize()["mlflow_tracking_uri"] == "http://mlflow:5000"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"tensorboard": "yes"}, "tensorboard: expected true or false, got 'yes'"),
        ({"mlflow_tracking_uri": ""}, "mlflow_tracking_uri: expected an MLflow tracking URI"),
        ({"mlflow_tracking_uri": 5000}, r"such as http://mlflow.example.org:5000 \(or null"),
    ],
)
def test_bad_tracking_options_are_refused(values, message):
    with pytest.raises(ConfigError, match=message):
        DaCapoConfig(**values)
