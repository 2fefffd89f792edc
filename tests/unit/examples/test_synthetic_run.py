"""``python -m dacapo.examples.synthetic_run``: data and a stored run from the shell."""

from __future__ import annotations

import zarr
from click.testing import CliRunner

from dacapo.examples.synthetic_run import main
from dacapo.experiments import Run
from dacapo.store.create_store import create_config_store


def test_it_writes_the_data_and_stores_a_run_that_builds(runs_base_dir):
    result = CliRunner().invoke(main, ["--name", "shell_run", "--iterations", "30"])
    assert result.exit_code == 0, result.output
    assert "stored run 'shell_run'" in result.output
    container = runs_base_dir / "shell_run" / "data.zarr"
    root = zarr.open_group(str(container), mode="r")
    assert root["train/crop0/raw"].shape == (96, 96, 96)
    assert root["test/crop0/labels"].shape == (96, 96, 96)
    config = create_config_store().retrieve_run_config("shell_run")
    assert config.num_iterations == 30 and config.validation_interval == 30
    run = Run(config)
    assert [d.name for d in run.datasplit.validate] == ["crop0"]


def test_storing_it_again_is_a_no_op(runs_base_dir):
    for _ in range(2):
        result = CliRunner().invoke(main, ["--name", "again"])
        assert result.exit_code == 0, result.output
    assert create_config_store().retrieve_run_config_names() == ["again"]


def test_a_crop_too_small_to_train_on_is_refused(runs_base_dir):
    result = CliRunner().invoke(main, ["--shape", "40"])
    assert result.exit_code == 2
    assert "Invalid value for '--shape': 40 is not in the range x>=80" in result.output
