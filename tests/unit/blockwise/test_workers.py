"""The threshold and argmax workers, in this process and as commands."""

import sys

import numpy as np
import pytest
from click.testing import CliRunner
from funlib.geometry import Coordinate, Roi

from dacapo.blockwise import argmax_worker, run_blockwise, threshold_worker
from dacapo.blockwise.worker import LazyBlockFunction, WorkerCommand, command_options
from dacapo.errors import ConfigError
from tests.unit.blockwise._helpers import read

BLOCK = Roi((0, 0, 0), (8, 8, 8))


def _prediction(dataset, channels=None):
    rng = np.random.default_rng(1)
    shape = ((channels,) if channels else ()) + (12, 16, 16)  # not a multiple of the block
    data = rng.random(shape).astype(np.float32)
    return data, dataset("prediction", data, channels=channels)


def test_threshold_writes_input_above_threshold_over_the_whole_roi(dataset, in_process):
    data, prediction = _prediction(dataset)
    roi = Roi((0, 0, 0), (12, 16, 16))
    mask = dataset("mask", roi=roi, dtype=np.uint8, write_size=Coordinate(8, 8, 8))
    assert run_blockwise(threshold_worker, roi, BLOCK, BLOCK, 1, compute_context=in_process,
                         input_array_identifier=prediction, output_array_identifier=mask,
                         threshold=0.25)
    result = read(mask)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, data > 0.25)


def test_argmax_writes_the_largest_channel(dataset, in_process):
    data, prediction = _prediction(dataset, channels=3)
    roi = Roi((0, 0, 0), (12, 16, 16))
    classes = dataset("classes", roi=roi, dtype=np.uint8)
    assert run_blockwise(argmax_worker.__file__, roi, BLOCK, BLOCK, 1, compute_context=in_process,
                         input_array_identifier=prediction, output_array_identifier=classes)
    np.testing.assert_array_equal(read(classes), np.argmax(data, axis=0))


def test_threshold_workers_run_as_commands_through_the_compute_context(dataset, processes,
                                                                       isolated_home):
    data, prediction = _prediction(dataset)
    roi = Roi((0, 0, 0), (12, 16, 16))
    mask = dataset("mask", roi=roi, dtype=np.uint8, write_size=BLOCK.shape)
    assert run_blockwise(threshold_worker, roi, BLOCK, BLOCK, 2, compute_context=processes,
                         input_array_identifier=prediction, output_array_identifier=mask,
                         threshold=0.5)
    np.testing.assert_array_equal(read(mask), data > 0.5)
    logs = isolated_home / "daisy_logs"
    assert len(list(logs.glob("threshold_worker_*/worker_*.err"))) == 2


def test_parallel_workers_refuse_an_output_whose_chunks_blocks_would_share(dataset, processes):
    _, prediction = _prediction(dataset)
    roi = Roi((0, 0, 0), (12, 16, 16))
    mask = dataset("mask", roi=roi, dtype=np.uint8, write_size=Coordinate(12, 16, 16))
    with pytest.raises(ConfigError, match=r"chunks of \(12, 16, 16\).*overwrite each other"):
        run_blockwise(threshold_worker, roi, BLOCK, BLOCK, 2, compute_context=processes,
                      input_array_identifier=prediction, output_array_identifier=mask)


def test_spawn_worker_builds_the_start_worker_command(dataset, in_process, processes):
    _, prediction = _prediction(dataset)
    mask = dataset("mask", roi=Roi((0, 0, 0), (12, 16, 16)), dtype=np.uint8)
    assert isinstance(threshold_worker.spawn_worker(prediction, mask, 0.5, in_process),
                      LazyBlockFunction)
    command = threshold_worker.spawn_worker(prediction, mask, 0.5, processes)
    assert isinstance(command, WorkerCommand) and command.compute_context is processes
    assert command.command == [
        sys.executable, "-m", "dacapo.blockwise.threshold_worker", "start-worker",
        "--input-container", str(prediction.container), "--input-dataset", "prediction",
        "--output-container", str(mask.container), "--output-dataset", "mask",
        "--threshold", "0.5",
    ]


def test_command_options_leave_out_unset_values():
    assert command_options({"a-b": 1, "c": None, "d": "x y"}) == ["--a-b", "1", "--d", "x y"]


@pytest.mark.parametrize("module", ["threshold_worker", "argmax_worker", "segment_worker",
                                    "relabel_worker"])
def test_every_worker_has_a_start_worker_command(module):
    import importlib

    cli = importlib.import_module(f"dacapo.blockwise.{module}").cli
    result = CliRunner().invoke(cli, ["start-worker", "--help"])
    assert result.exit_code == 0, result.output
    assert "--output-container" in result.output


def test_start_worker_without_its_options_says_which_is_missing():
    result = CliRunner().invoke(threshold_worker.cli, ["start-worker", "--input-container", "x"])
    assert result.exit_code == 2 and "--input-dataset" in result.output
