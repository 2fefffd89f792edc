"""Bsub: the LSF command lines it wraps worker commands in, its parameters,
and its selection through the options."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import attr
import pytest
import torch
import yaml
from click.testing import CliRunner

from dacapo.blockwise.worker import worker_cli
from dacapo.compute_context import Bsub, CommandError, ComputeContext, create_compute_context
from dacapo.errors import ConfigError
from dacapo.store.converter import converter

WORKER = ["python", "-m", "dacapo.blockwise.predict_worker", "start-worker", "-r", "run a"]


@pytest.fixture
def in_worker(monkeypatch, tmp_path):
    """Sets ``DAISY_CONTEXT`` as daisy does for worker 3 of task predict_ab12."""

    def set_context(logdir=None):
        fields = ["hostname=10.0.0.1", "port=4000", "task_id=predict_ab12", "worker_id=3"]
        if logdir is not None:
            fields.append(f"logdir={logdir}")
        monkeypatch.setenv("DAISY_CONTEXT", ":".join(fields))

    return set_context


def test_defaults_follow_upstream():
    context = Bsub()
    assert attr.asdict(context) == {"distribute_workers": True, "queue": "local",
                                    "num_gpus": 1, "num_cpus": 5, "billing": None}
    assert isinstance(context, ComputeContext)
    assert all(field.metadata.get("help_text") for field in attr.fields(Bsub))


def test_device_is_cuda_when_the_jobs_get_gpus():
    assert Bsub().device == torch.device("cuda")
    assert Bsub(num_gpus=2).device == torch.device("cuda")
    assert Bsub(num_gpus=0).device == torch.device("cpu")


@pytest.mark.parametrize(
    "kwargs, options",
    [
        ({}, ["-q", "local", "-n", "5", "-J", "dacapo_predict_ab12_w3", "-o", "{logs}.out",
              "-e", "{logs}.err", "-gpu", "num=1"]),
        ({"queue": "gpu_h100", "num_gpus": 4, "num_cpus": 12, "billing": "cellmap"},
         ["-q", "gpu_h100", "-n", "12", "-J", "dacapo_predict_ab12_w3", "-o", "{logs}.out",
          "-e", "{logs}.err", "-gpu", "num=4", "-P", "cellmap"]),
        ({"queue": "short", "num_gpus": 0, "num_cpus": 1},
         ["-q", "short", "-n", "1", "-J", "dacapo_predict_ab12_w3", "-o", "{logs}.out",
          "-e", "{logs}.err"]),
        ({"num_gpus": 0, "billing": "lab"},
         ["-q", "local", "-n", "5", "-J", "dacapo_predict_ab12_w3", "-o", "{logs}.out",
          "-e", "{logs}.err", "-P", "lab"]),
    ],
)
@pytest.mark.parametrize("own_logdir", [False, True])
def test_worker_command_lines(in_worker, tmp_path, kwargs, options, own_logdir):
    logdir = tmp_path / "logs" if own_logdir else None
    in_worker(logdir)
    logs = f"{logdir or 'daisy_logs'}/predict_ab12/worker_3"
    expected = ["bsub", "-K", *(o.format(logs=logs) for o in options), *WORKER]
    assert Bsub(**kwargs).wrap_command(WORKER) == expected
    assert Path(logs).parent.is_dir()  # created for LSF, which does not


def test_outside_a_daisy_worker_the_command_gets_its_own_logs(monkeypatch):
    monkeypatch.delenv("DAISY_CONTEXT", raising=False)
    command = Bsub(num_gpus=0).wrap_command([Path("/bin/echo"), 1])
    name = f"command_{os.getpid()}"
    assert command == ["bsub", "-K", "-q", "local", "-n", "5", "-J", f"dacapo_dacapo_w{name}",
                       "-o", f"daisy_logs/dacapo/worker_{name}.out",
                       "-e", f"daisy_logs/dacapo/worker_{name}.err", "/bin/echo", "1"]
    assert Path("daisy_logs/dacapo").is_dir()


@pytest.fixture
def fake_bsub(tmp_path, monkeypatch):
    """A ``bsub`` on PATH that records its arguments and exits with $STATUS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "bsub"
    script.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\n'
                      'echo "Job <7> is submitted"\necho "job failed" >&2\nexit "$STATUS"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_execute_submits_through_bsub_and_waits(fake_bsub, in_worker, monkeypatch, capfd):
    in_worker()
    monkeypatch.setenv("STATUS", "0")
    result = Bsub(queue="short").execute(["echo", "hi"])
    assert result.returncode == 0 and result.args[:2] == ["bsub", "-K"]
    assert (fake_bsub / "args").read_text().startswith("-K -q short -n 5 -J dacapo_predict_ab12")
    assert "Job <7> is submitted" in capfd.readouterr().out  # to the daisy worker's log


def test_a_failed_job_raises_command_error(fake_bsub, in_worker, monkeypatch):
    in_worker()
    monkeypatch.setenv("STATUS", "130")
    with pytest.raises(CommandError, match="Bsub: command `bsub -K -q local .* echo hi` exited "
                                           "with status 130; last lines of its stderr:\njob failed"):
        Bsub().execute(["echo", "hi"])


def test_missing_bsub_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no bsub there
    with pytest.raises(CommandError, match="Bsub: cannot start command `bsub -K .*check that "
                                           "'bsub' is installed and on PATH") as error:
        Bsub().execute(["echo", "hi"])
    assert error.value.returncode == 127


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"queue": ""}, "`queue` must be a non-empty name without spaces, got ''; use a queue "
                        "that `bqueues` lists"),
        ({"queue": "gpu h100"}, "`queue` must be a non-empty name without spaces, got 'gpu h100'"),
        ({"queue": None}, "`queue` must be a non-empty name without spaces, got None"),
        ({"num_gpus": -1}, "`num_gpus` must be an integer >= 0, got -1"),
        ({"num_gpus": 1.5}, "`num_gpus` must be an integer >= 0, got 1.5"),
        ({"num_gpus": True}, "`num_gpus` must be an integer >= 0, got True"),
        ({"num_cpus": 0}, "`num_cpus` must be an integer >= 1, got 0"),
        ({"num_cpus": "5"}, "`num_cpus` must be an integer >= 1, got '5'"),
        ({"billing": ""}, "`billing` must be a non-empty name without spaces \\(or null\\), "
                          "got ''; use a project your cluster accepts for `bsub -P`, or null"),
        ({"billing": 42}, "`billing` must be a non-empty name without spaces .*got 42"),
        ({"distribute_workers": "yes"}, "`distribute_workers` must be True or False, got 'yes'"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ConfigError, match=f"^Bsub: {match}"):
        Bsub(**kwargs)


def test_round_trips_through_the_converter():
    context = Bsub(distribute_workers=False, queue="gpu_h100", num_gpus=2, num_cpus=8,
                   billing="cellmap")
    data = converter.unstructure(context)
    assert data == {"__type__": "Bsub", "distribute_workers": False, "queue": "gpu_h100",
                    "num_gpus": 2, "num_cpus": 8, "billing": "cellmap"}
    assert converter.structure(data, ComputeContext) == context


def _options(tmp_path, monkeypatch, compute_context) -> None:
    path = tmp_path / "dacapo.yaml"
    path.write_text(yaml.safe_dump({"compute_context": compute_context}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(path))


def test_the_options_select_bsub(tmp_path, monkeypatch):
    _options(tmp_path, monkeypatch, {"type": "Bsub",
                                     "config": {"queue": "gpu_h100", "num_gpus": 1}})
    assert create_compute_context() == Bsub(queue="gpu_h100", num_gpus=1)
    _options(tmp_path, monkeypatch, {"type": "Bsub"})
    assert create_compute_context() == Bsub()


@pytest.mark.parametrize(
    "config, match",
    [
        ({"gpus": 1}, "Bsub: unknown field\\(s\\) \\['gpus'\\]; known fields: \\['billing', "
                      "'distribute_workers', 'num_cpus', 'num_gpus', 'queue'\\]"),
        ({"num_gpus": "one"}, "Bsub, field 'num_gpus': expected int, got str 'one'"),
        ({"num_cpus": 0}, "Bsub: `num_cpus` must be an integer >= 1, got 0"),
        ({"queue": "gpu h100"}, "Bsub: `queue` must be a non-empty name without spaces"),
    ],
)
def test_bad_options_name_the_parameter_and_the_valid_ones(tmp_path, monkeypatch, config, match):
    _options(tmp_path, monkeypatch, {"type": "Bsub", "config": config})
    with pytest.raises(ConfigError, match=f"^options compute_context: .*{match}"):
        create_compute_context()


def _noop_worker():
    cli = worker_cli()

    @cli.command("start-worker")
    def start_worker():
        logging.getLogger("dacapo.blockwise.worker").info("worked")

    return cli


@pytest.mark.parametrize(
    "env, line",
    [
        ({"LSB_JOBID": "4711"}, "worker running in LSF job 4711"),
        ({"SLURM_JOB_ID": "99"}, "worker running in Slurm job 99"),
    ],
)
def test_a_worker_in_a_cluster_job_logs_the_job_id(monkeypatch, caplog, env, line):
    monkeypatch.delenv("LSB_JOBID", raising=False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.worker"):
        result = CliRunner().invoke(_noop_worker(), ["start-worker"], env=env)
    assert result.exit_code == 0, result.output
    assert [r.getMessage() for r in caplog.records] == [line, "worked"]


def test_a_worker_outside_a_cluster_job_logs_no_job_id(monkeypatch, caplog):
    monkeypatch.delenv("LSB_JOBID", raising=False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with caplog.at_level(logging.INFO, logger="dacapo.blockwise.worker"):
        CliRunner().invoke(_noop_worker(), ["start-worker"])
    assert [r.getMessage() for r in caplog.records] == ["worked"]
