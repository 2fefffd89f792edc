"""Slurm: the srun command lines it builds, and its parameters.

A real cluster runs these commands in tests/integration/test_slurm_predict.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import attr
import pytest
import torch
import yaml

from dacapo.compute_context import CommandError, ComputeContext, Slurm, create_compute_context
from dacapo.errors import ConfigError, UnknownTypeError
from dacapo.store.converter import converter

DAISY_CONTEXT = "hostname=login1:port=4321:task_id=predict_worker_ab12:worker_id=3:logdir={}"


@pytest.fixture(autouse=True)
def outside_slurm(monkeypatch):
    """No variables of an enclosing Slurm job (the tests may run in one)."""
    for name in list(os.environ):
        if name.startswith("SLURM_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("DAISY_CONTEXT", raising=False)


@pytest.fixture
def worker(monkeypatch, tmp_path):
    """DAISY_CONTEXT of worker 3 of task predict_worker_ab12, logs under tmp_path/logs."""
    monkeypatch.setenv("DAISY_CONTEXT", DAISY_CONTEXT.format(tmp_path / "logs"))
    return tmp_path / "logs" / "predict_worker_ab12"


def _srun(logs: Path, *options: str):
    return ["srun", "--job-name=dacapo_predict_worker_ab12_w3",
            f"--output={logs}/worker_3.out", f"--error={logs}/worker_3.err",
            "--open-mode=append", "--export=ALL", "--nodes=1", "--ntasks=1", *options]


COMMAND = ["python", "-m", "dacapo.blockwise.predict_worker", "start-worker", "--iteration", "3"]


def test_defaults():
    context = Slurm()
    assert isinstance(context, ComputeContext)
    assert (context.distribute_workers, context.num_gpus, context.num_cpus) == (True, 0, 1)
    assert (context.partition, context.memory, context.time_limit, context.account) == (
        None, None, None, None)
    assert context.extra_args == []
    assert context.device == torch.device("cpu")
    assert Slurm(num_gpus=2).device == torch.device("cuda")


@pytest.mark.parametrize(
    "parameters, options",
    [
        ({}, ["--cpus-per-task=1"]),
        ({"num_cpus": 4, "num_gpus": 1, "partition": "gpu", "memory": "16G",
          "time_limit": "2:00:00", "account": "lab-x"},
         ["--cpus-per-task=4", "--gres=gpu:1", "--partition=gpu", "--mem=16G",
          "--time=2:00:00", "--account=lab-x"]),
        ({"memory": "500", "time_limit": "1-12", "extra_args": ["--qos=high", "--constraint",
                                                                 "a100"]},
         ["--cpus-per-task=1", "--mem=500", "--time=1-12", "--qos=high", "--constraint",
          "a100"]),
        ({"num_gpus": 0, "extra_args": ("--exclusive",)}, ["--cpus-per-task=1", "--exclusive"]),
    ],
)
def test_worker_commands_become_srun_jobs(worker, parameters, options):
    wrapped = Slurm(**parameters).wrap_command(COMMAND)
    assert wrapped == _srun(worker, *options) + COMMAND
    assert worker.is_dir()  # Slurm does not create the log directory


def test_outside_daisy_a_command_gets_its_own_log_files():
    pid = os.getpid()
    wrapped = Slurm().wrap_command(["true"])
    assert wrapped == ["srun", f"--job-name=dacapo_dacapo_wcommand_{pid}",
                       f"--output=daisy_logs/dacapo/worker_command_{pid}.out",
                       f"--error=daisy_logs/dacapo/worker_command_{pid}.err",
                       "--open-mode=append", "--export=ALL", "--nodes=1", "--ntasks=1",
                       "--cpus-per-task=1", "true"]
    assert Path("daisy_logs/dacapo").is_dir()  # in the test's own working directory


def test_inside_a_slurm_job_the_workers_are_jobs_of_their_own(worker, monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "77")
    monkeypatch.setenv("SLURM_NTASKS", "8")
    monkeypatch.setenv("SLURM_CONF", "/etc/slurm/other.conf")  # kept: where the cluster is
    wrapped = Slurm().wrap_command(COMMAND)
    assert wrapped == ["env", "-u", "SLURM_JOB_ID", "-u", "SLURM_NTASKS",
                       *_srun(worker, "--cpus-per-task=1"), *COMMAND]


FAKE_SRUN = """#!{python}
import os, sys
args = sys.argv[1:]
while args[0].startswith("--"):
    args.pop(0)
with open(os.environ["SEEN"], "w") as seen:
    seen.write(" ".join([os.environ.get("DAISY_CONTEXT", "-"),
                         os.environ.get("DACAPO_OPTIONS_FILE", "-"), *args]))
sys.stderr.write("srun: error: node1: task 0: Exited with exit code 3\\n")
sys.exit(3)
"""


def test_execute_runs_srun_with_the_worker_environment(worker, tmp_path, monkeypatch,
                                                       runs_base_dir):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "srun").write_text(FAKE_SRUN.format(python=sys.executable))
    (bin_dir / "srun").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SEEN", str(tmp_path / "seen"))
    with pytest.raises(CommandError, match=r"Slurm: command `srun --job-name=dacapo_predict_"
                       r"worker_ab12_w3 .*` exited with status 3; last lines of its stderr:\n"
                       r"srun: error: node1: task 0: Exited with exit code 3"):
        Slurm().execute(["worker", "--x", "1"])
    daisy_context, options_file, *command = (tmp_path / "seen").read_text().split()
    assert daisy_context == DAISY_CONTEXT.format(tmp_path / "logs")
    assert options_file == str(tmp_path / "dacapo.yaml")
    assert command == ["worker", "--x", "1"]


def test_a_missing_srun_is_named(worker, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="cannot start command `srun .*check that 'srun' "
                                           "is installed and on PATH"):
        Slurm().execute(["true"])


def test_every_parameter_has_help_text():
    for field in attr.fields(Slurm):
        assert field.metadata.get("help_text"), field.name


@pytest.mark.parametrize(
    "parameters, match",
    [
        ({"distribute_workers": "yes"}, "`distribute_workers` must be True or False, got 'yes'"),
        ({"partition": ""}, "`partition` must be a partition name without spaces \\(or null\\), "
                            "got ''; use a name `sinfo` lists"),
        ({"partition": "gpu short"}, "`partition` must be a partition name without spaces"),
        ({"partition": 3}, "`partition` must be a partition name without spaces .*got 3"),
        ({"num_gpus": -1}, "`num_gpus` must be an integer >= 0, got -1"),
        ({"num_gpus": 1.5}, "`num_gpus` must be an integer >= 0, got 1.5"),
        ({"num_gpus": True}, "`num_gpus` must be an integer >= 0, got True"),
        ({"num_cpus": 0}, "`num_cpus` must be an integer >= 1, got 0"),
        ({"memory": "8GB"}, "`memory` must be a Slurm memory size such as '8G', '500M' or "
                            "'4000' \\(megabytes\\) \\(or null\\), got '8GB'; write an integer "
                            "with an optional K, M, G or T suffix"),
        ({"memory": 8}, "`memory` must be a Slurm memory size .*got 8; .*as a string"),
        ({"time_limit": "2h"}, "`time_limit` must be a Slurm time limit such as '30' "
                               "\\(minutes\\), '2:00:00' or '1-12:00:00' \\(or null\\), got "
                               "'2h'; use minutes, \\[hours:\\]minutes:seconds or "
                               "days-hours\\[:minutes\\[:seconds\\]\\]"),
        ({"time_limit": "1:2:3:4"}, "`time_limit` must be a Slurm time limit .*got '1:2:3:4'"),
        ({"time_limit": 30}, "`time_limit` must be a Slurm time limit .*got 30"),
        ({"account": "my lab"}, "`account` must be an account name without spaces \\(or "
                                "null\\), got 'my lab'; use an account `sacctmgr"),
        ({"extra_args": "--qos=high"}, "`extra_args` must be a list of non-empty strings, got "
                                       "'--qos=high'; one list item per argument, e.g. "
                                       "\\['--qos=high', '--constraint=a100'\\]"),
        ({"extra_args": ["--qos", ""]}, "`extra_args` must be a list of non-empty strings"),
        ({"extra_args": [3]}, "`extra_args` must be a list of non-empty strings, got \\[3\\]"),
        ({"extra_args": ["qos=high"]}, "`extra_args` must be a list of srun options starting "
                                       "with an option, got \\['qos=high'\\]; 'qos=high' would "
                                       "be taken for the command to run; write it as an "
                                       "option, e.g. '--qos=high'"),
        ({"extra_args": ["--export=NONE"]}, "`extra_args` must be a list whose --export passes "
                                            "DAISY_CONTEXT and DACAPO_OPTIONS_FILE to the job, "
                                            "got \\['--export=NONE'\\]; use --export=ALL,"),
        ({"extra_args": ["--export", "PATH,DAISY_CONTEXT"]}, "`extra_args` must be a list whose --export passes"),
        ({"extra_args": ["--export"]}, "`extra_args` must be a list whose --export passes"),
    ],
)
def test_bad_parameters_are_named_with_what_was_expected(parameters, match):
    with pytest.raises(ConfigError, match=f"^Slurm: {match}"):
        Slurm(**parameters)


@pytest.mark.parametrize("args", [["--export=ALL"], ["--export=ALL,FOO=1"],
                                  ["--export", "DAISY_CONTEXT,DACAPO_OPTIONS_FILE,PATH"]])
def test_an_export_that_keeps_the_worker_environment_is_accepted(args):
    assert Slurm(extra_args=args).extra_args == args


@pytest.mark.parametrize("value", ["30", "30:00", "2:00:00", "1-0", "1-12:30", "1-12:30:00",
                                   "UNLIMITED", "infinite"])
def test_slurm_time_formats_are_accepted(value):
    assert Slurm(time_limit=value).time_limit == value


@pytest.mark.parametrize("value", ["0", "4000", "500M", "8G", "1T", "64k"])
def test_slurm_memory_sizes_are_accepted(value):
    assert Slurm(memory=value).memory == value


def test_the_options_select_slurm(tmp_path, monkeypatch):
    options = tmp_path / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"compute_context": {"type": "Slurm", "config": {
        "partition": "gpu", "num_gpus": 1, "num_cpus": 8, "memory": "32G",
        "time_limit": "4:00:00", "account": "lab", "extra_args": ["--qos=high"]}}}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    context = create_compute_context()
    assert context == Slurm(partition="gpu", num_gpus=1, num_cpus=8, memory="32G",
                            time_limit="4:00:00", account="lab", extra_args=["--qos=high"])
    assert converter.structure(converter.unstructure(context), ComputeContext) == context
    assert create_compute_context({"type": "Slurm"}) == Slurm()


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ({"type": "slurm"}, UnknownTypeError,
         "unknown ComputeContext type 'slurm'; did you mean 'Slurm'\\? Known: .*Slurm"),
        ({"type": "Slurm", "config": {"partiton": "gpu"}}, ConfigError,
         "Slurm: unknown field\\(s\\) \\['partiton'\\]; known fields: \\['account', "
         "'distribute_workers', 'extra_args', 'memory', 'num_cpus', 'num_gpus', 'partition', "
         "'time_limit'\\]"),
        ({"type": "Slurm", "config": {"num_gpus": "1"}}, ConfigError,
         "Slurm, field 'num_gpus': expected int, got str '1'"),
        ({"type": "Slurm", "config": {"memory": 8}}, ConfigError,
         "Slurm, field 'memory': expected str, got int 8"),
        ({"type": "Slurm", "config": {"extra_args": "--qos=high"}}, ConfigError,
         "Slurm: `extra_args` must be a list of non-empty strings, got '--qos=high'"),
        ({"type": "Slurm", "config": {"time_limit": "forever"}}, ConfigError,
         "Slurm: `time_limit` must be a Slurm time limit"),
    ],
)
def test_bad_options_name_the_valid_choices(spec, error, match):
    with pytest.raises(error, match=f"^options compute_context: .*{match}"):
        create_compute_context(spec)


def test_the_slurm_cluster_tests_say_why_they_cannot_run(monkeypatch, tmp_path):
    from tests import _slurm_cluster

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in _slurm_cluster.unavailable_reason()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_slurm_cluster, "_SBIN", ())
    reason = _slurm_cluster.unavailable_reason()
    assert reason.startswith("Slurm is not installed (munged, munge, slurmctld,")
    assert "`make slurm` installs slurmctld slurmd slurm-client munge" in reason
