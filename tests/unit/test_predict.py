"""Set-up of blockwise prediction (``dacapo.predict``, ``dacapo._inference_setup``)
and the predict worker's launch; the worker processes run in
``tests/integration/test_predict.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from funlib.geometry import Coordinate, Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._inference_geometry import InferenceGeometry
from dacapo._inference_setup import (
    blockwise_output_roi,
    load_model,
    output_identifier,
    parse_roi,
    run_config_of,
    training_raw_range,
)
from dacapo.blockwise import predict_worker
from dacapo.errors import ConfigError, NoSuchNameError, RoiError
from dacapo.experiments import RunConfig
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import (
    SimpleDataSplitConfig,
    TrainValidateDataSplitConfig,
)
from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import (
    IntensitiesArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.tasks import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.predict import predict
from tests.unit._inference_helpers import random_raw


def test_parse_roi():
    assert parse_roi("[0:80, -8:40,4:12]") == Roi((0, -8, 4), (80, 48, 8))
    assert parse_roi(" [10:20] ") == Roi((10,), (10,))


@pytest.mark.parametrize("text", ["0:8,0:8", "[0:8;0:8]", "[a:8]", "[]", "[0:8,]", "[1.5:8]"])
def test_a_bad_roi_string_names_the_expected_form(text):
    with pytest.raises(ConfigError, match=rf"output_roi '{_escaped(text)}' is not a ROI; "
                       r"expected the form '\[z0:z1,y0:y1,x0:x1\]'"):
        parse_roi(text)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


def test_a_roi_string_ending_before_it_begins_is_refused():
    with pytest.raises(ConfigError, match=r"output_roi '\[0:8,8:8\]' has an axis whose end"):
        parse_roi("[0:8,8:8]")


def test_output_identifier_is_the_container_or_a_zarr_named_after_the_input():
    named = output_identifier("/out/pred.zarr", "/data/raw.n5", "prediction_r_5")
    assert named == LocalArrayIdentifier(Path("/out/pred.zarr"), "prediction_r_5")
    assert output_identifier("/out/x.n5/group", "/d/raw.zarr", "p").container == Path(
        "/out/x.n5/group"
    )
    folder = output_identifier(Path("/out"), "/data/sample_1.zarr/", "p")
    assert folder == LocalArrayIdentifier(Path("/out/sample_1.zarr"), "p")
    given = LocalArrayIdentifier(Path("/o.zarr"), "mine")
    assert output_identifier(given, "/data/raw.zarr", "p") is given


def _geometry(context: int = 8, voxel: int = 4) -> InferenceGeometry:
    vs = Coordinate((voxel,) * 3)
    return InferenceGeometry(vs, vs, Coordinate((28,) * 3),
                             Coordinate((28 - 2 * context // voxel,) * 3), 1,
                             Coordinate((28 * voxel - 2 * context,) * 3))


def test_output_roi_is_snapped_and_cut_to_the_raw_roi_less_the_context():
    raw = random_raw((40, 40, 40))  # [0, 160) in each axis
    geometry = _geometry(context=32)
    assert blockwise_output_roi(raw, geometry, None) == Roi((32,) * 3, (96,) * 3)
    roi = blockwise_output_roi(raw, geometry, "[0:50,41:99,-100:1000]")
    assert roi == Roi((32, 40, 32), (20, 60, 96))


def test_an_output_roi_outside_the_data_is_refused():
    raw = random_raw((40, 40, 40))
    with pytest.raises(RoiError, match=r"nothing to predict: output_roi \[1000:1008"):
        blockwise_output_roi(raw, _geometry(), Roi((1000, 0, 0), (8, 8, 8)))
    with pytest.raises(RoiError, match=r"output_roi must be a 3D funlib Roi or a string"):
        blockwise_output_roi(raw, _geometry(), Roi((0, 0), (8, 8)))


def _run_config(tmp_path, datasplit=None, name="run") -> RunConfig:
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 1),
        trainer_config=DummyTrainerConfig("trainer", 1, 0.1, mirror_augment=False),
        datasplit_config=datasplit or SimpleDataSplitConfig("split", tmp_path / "none.zarr"),
        name=name, repetition=0, num_iterations=10,
    )


def test_training_raw_range_comes_from_the_intensities_config(tmp_path):
    raw = ZarrArrayConfig("raw", tmp_path / "d.zarr", "raw")
    gt = ZarrArrayConfig("gt", tmp_path / "d.zarr", "gt")
    scaled = IntensitiesArrayConfig("scaled", raw, min=10.0, max=200.0)
    split = TrainValidateDataSplitConfig(
        "split", [RawGTDatasetConfig("d", raw_config=scaled, gt_config=gt)], []
    )
    assert training_raw_range(_run_config(tmp_path, split)) == (10.0, 200.0)
    plain = TrainValidateDataSplitConfig(
        "split", [RawGTDatasetConfig("d", raw_config=raw, gt_config=gt)], []
    )
    assert training_raw_range(_run_config(tmp_path, plain)) is None
    assert training_raw_range(_run_config(tmp_path)) is None  # SimpleDataSplit: by dtype


def test_runs_come_from_the_config_store(runs_base_dir, tmp_path):
    from dacapo.store.create_store import create_config_store

    config = _run_config(tmp_path)
    create_config_store().store_run_config(config)
    assert run_config_of("run") == config
    with pytest.raises(NoSuchNameError, match=r"workers load run 'other' from the config "
                       r"store; store its config first.*no run config named 'other'"):
        run_config_of("other")
    with pytest.raises(ConfigError, match=r"expected a run name or a Run, got 3"):
        run_config_of(3)


@pytest.mark.parametrize("iteration", [-1, 1.5, "3", True, None])
def test_iteration_must_be_a_non_negative_integer(runs_base_dir, tmp_path, iteration):
    with pytest.raises(ConfigError, match=r"iteration must be an integer >= 0"):
        load_model(_run_config(tmp_path), iteration)


def test_predict_refuses_bad_arguments_before_starting_workers(runs_base_dir, tmp_path):
    with pytest.raises(ConfigError, match="predict: output_dtype int32 is not supported"):
        predict("run", 0, tmp_path / "raw.zarr", "raw", tmp_path / "out",
                output_dtype=np.int32)
    with pytest.raises(NoSuchNameError, match="no run config named 'run'"):
        predict("run", 0, tmp_path / "raw.zarr", "raw", tmp_path / "out")


def test_predict_refuses_a_bad_roi_string(runs_base_dir, tmp_path, make_zarr):
    from dacapo.store.create_store import create_config_store

    create_config_store().store_run_config(_run_config(tmp_path))
    make_zarr(tmp_path / "raw.zarr", "raw", np.zeros((48, 24, 24), np.uint8))
    with pytest.raises(ConfigError, match=r"output_roi '0:10' is not a ROI"):
        predict("run", 0, tmp_path / "raw.zarr", "raw", tmp_path / "out", "0:10")


def _job(**changes):
    values = dict(run_name="r", iteration=5,
                  input_array_identifier=LocalArrayIdentifier(Path("/d/raw.zarr"), "raw"),
                  output_array_identifier=LocalArrayIdentifier(Path("/o.zarr"), "p"),
                  origin=(32, 0, 8))
    values.update(changes)
    return values


class _Distributing:
    distribute_workers = True
    device = "cpu"


def test_spawn_worker_runs_in_a_worker_process_or_as_a_command():
    loop = predict_worker.spawn_worker(**_job())
    assert isinstance(loop, predict_worker.PredictLoop)
    assert loop.job.origin == (32, 0, 8)
    command = predict_worker.spawn_worker(**_job(raw_range=(0.0, 255.0), half=True),
                                          compute_context=_Distributing())
    assert command.command[:4] == [sys.executable, "-m", "dacapo.blockwise.predict_worker",
                                   "start-worker"]
    text = " ".join(command.command)
    for part in ("--run-name r", "--iteration 5", "--input-container /d/raw.zarr",
                 "--output-dataset p", "--origin 32,0,8", "--raw-min 0.0", "--raw-max 255.0",
                 "--device cpu", "--half"):
        assert part in text
    assert "--skip-empty" not in text


def test_start_worker_reads_back_the_options(monkeypatch):
    seen, devices = [], []

    def run(job, compute_context=None):
        seen.append(job)
        devices.append(str(compute_context.device))

    monkeypatch.setattr(predict_worker, "run_predict_worker", run)
    command = predict_worker.spawn_worker(**_job(raw_range=(0.0, 255.0), skip_empty=True),
                                          compute_context=_Distributing())
    arguments = command.command[4:]
    result = CliRunner().invoke(predict_worker.cli, ["start-worker", *arguments])
    assert result.exit_code == 0, result.output
    assert seen == [predict_worker.PredictJob(**_job(raw_range=(0.0, 255.0),
                                                     skip_empty=True))]
    assert devices == ["cpu"]  # the device of the context given, not of the options
    assert "Predict blocks" in CliRunner().invoke(
        predict_worker.cli, ["start-worker", "--help"]).output


class _Context:
    def __init__(self, device: str):
        self.device = device
        self.distribute_workers = False


@pytest.mark.parametrize(("num_workers", "device", "timeout", "here"), [
    (1, "cpu", None, True),
    (2, "cpu", None, False),  # several workers: processes
    (1, "cpu", 60.0, False),  # only a worker process can be stopped after a timeout
    (1, "cuda", None, False),  # a process reads and writes while the GPU computes
])
def test_a_single_cpu_worker_runs_in_this_process(num_workers, device, timeout, here):
    from dacapo.predict import _worker

    model = object()
    worker = _worker(model, num_workers, _Context(device), timeout)
    if here:
        assert isinstance(worker, predict_worker.InProcessWorker) and worker.model is model
    else:
        assert worker is predict_worker


def test_a_job_in_this_process_has_the_task_id_of_worker_processes(tmp_path):
    from dacapo.blockwise.blockwise_task import DaCapoBlockwiseTask

    def task(worker):
        return DaCapoBlockwiseTask(
            worker, Roi((0, 0, 0), (64, 64, 64)), Roi((0, 0, 0), (32, 32, 32)),
            Roi((8, 8, 8), (16, 16, 16)), 1, compute_context=_Context("cpu"),
            tracking_dir=tmp_path, **_job())

    in_processes, here = task(predict_worker), task(predict_worker.InProcessWorker(None))
    assert here.task_id == in_processes.task_id  # a job resumes either way
    assert in_processes.multiprocessing and not here.multiprocessing
    function = here.process_function.process
    assert isinstance(function, predict_worker.PredictBlocks)
    assert function.job == predict_worker.PredictJob(**_job())
