"""A blockwise predict whose workers run as LSF jobs, through a fake ``bsub``
on PATH (LSF cannot be installed here) that runs its command as LSF would."""

from __future__ import annotations

import json
import os
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from dacapo._inference_setup import load_model
from dacapo.compute_context import Bsub, LocalTorch
from dacapo.predict import predict
from dacapo.store.create_store import create_config_store, create_weights_store
from tests._validation_runs import tiny_3d_run_config
from tests.conftest import write_zarr

pytestmark = pytest.mark.slow

ITERATION = 3

# A stand-in for LSF's `bsub -K`: parses the options dacapo uses (any other is
# an error), appends {"job": id, "args": [...]} to $FAKE_BSUB_CALLS, runs the
# command as the job (LSB_JOBID set, its output appended to the -o/-e files,
# then a job report appended to -o, as LSF does) and exits with the job's
# status. While the file $FAKE_BSUB_FAIL exists, the first job to remove it is
# killed before it starts (its record says "killed"): bsub -K then exits with
# status 1.
FAKE_BSUB = """#!@PYTHON@
import json, os, subprocess, sys

VALUED = {"-q", "-n", "-J", "-o", "-e", "-gpu", "-P"}
args, options, i = sys.argv[1:], {}, 0
while i < len(args) and args[i].startswith("-"):
    if args[i] == "-K":
        options["-K"], i = True, i + 1
    elif args[i] in VALUED and i + 1 < len(args):
        options[args[i]], i = args[i + 1], i + 2
    else:
        sys.exit(f"bsub: unknown option {args[i]}")
command, job = args[i:], str(os.getpid())
if not command or "-K" not in options:
    sys.exit("bsub: this fake only runs a command, with -K")
try:
    os.remove(os.environ["FAKE_BSUB_FAIL"])
    killed = True
except FileNotFoundError:
    killed = False
with open(os.environ["FAKE_BSUB_CALLS"], "a") as calls:
    calls.write(json.dumps({"job": job, "args": args, "killed": killed}) + "\\n")
print(f"Job <{job}> is submitted to queue <{options['-q']}>.", flush=True)
if killed:
    print(f"Job <{job}> was killed.", flush=True)
    sys.exit(1)
with open(options["-o"], "a") as out, open(options["-e"], "a") as err:
    status = subprocess.call(command, stdout=out, stderr=err,
                             env={**os.environ, "LSB_JOBID": job})
    report = "Successfully completed." if status == 0 else f"Exited with exit code {status}."
    out.write(f"Job <{job}> ({options['-J']}): {report}\\n")
print("<<Job is finished>>", flush=True)
sys.exit(status)
"""


@pytest.fixture
def fake_bsub(tmp_path, monkeypatch):
    """The fake ``bsub`` first on PATH; returns its calls file and the file
    whose presence kills one job."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "bsub"
    script.write_text(FAKE_BSUB.replace("@PYTHON@", sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    files = types.SimpleNamespace(calls=tmp_path / "bsub_calls.jsonl",
                                  fail=tmp_path / "kill_one_job")
    monkeypatch.setenv("FAKE_BSUB_CALLS", str(files.calls))
    monkeypatch.setenv("FAKE_BSUB_FAIL", str(files.fail))
    return files


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Made once for the module: a stored tiny run (a valid 3D U-Net with
    weights of ITERATION), its options file, a 40³ raw volume (2 x 2 x 2
    blocks of one 12³ output window) and its prediction with ``LocalTorch``."""
    base = tmp_path_factory.mktemp("bsub_predict")
    options = base / "dacapo.yaml"
    # the workers (LSF jobs) take their device from the options: the CPU, as
    # the LocalTorch prediction they are compared with, also on a GPU machine
    options.write_text(yaml.safe_dump({
        "type": "files", "runs_base_dir": str(base / "runs"),
        "compute_context": {"type": "LocalTorch", "config": {"device": "cpu"}},
    }))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DACAPO_OPTIONS_FILE", str(options))
        patch.setenv("HOME", str(base))
        patch.chdir(base)
        _store_run(tiny_3d_run_config(base))
        data = np.random.default_rng(0).integers(0, 256, (40, 40, 40), dtype=np.uint8)
        raw = write_zarr(base / "raw.zarr", "raw", data, voxel_size=(4, 4, 4), chunks=(20,) * 3)
        local = _predict(raw, base / "local.zarr", LocalTorch(device="cpu"))
    return types.SimpleNamespace(options=options, raw=raw, local=local)


@pytest.fixture
def stored_run(prepared, monkeypatch):
    """The prepared run's options in use; returns the prepared namespace."""
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(prepared.options))
    return prepared


def _store_run(config) -> None:
    create_config_store().store_run_config(config)
    model = load_model(config, 0)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05)  # other weights than the fresh model's
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    run = types.SimpleNamespace(name=config.name, model=model, optimizer=optimizer)
    create_weights_store().store_weights(run, ITERATION)


def _predict(raw_zarr, output: Path, context) -> np.ndarray:
    array = predict("tiny", ITERATION, raw_zarr, "raw", output, num_workers=2,
                    output_dtype=np.float32, compute_context=context)
    return array[array.roi]


def _calls(fake_bsub) -> list:
    return [json.loads(line) for line in fake_bsub.calls.read_text().splitlines()]


def _worker(call) -> tuple:
    """The task id and worker id the job name of a ``bsub`` call names."""
    match = re.fullmatch(r"dacapo_(predict_worker_\w+)_w(\d+)", call["args"][6])
    assert match, call["args"]
    return match.group(1), match.group(2)


def _expected_options(task: str, worker: str, queue: str, cpus: int, extra: list) -> list:
    logs = f"daisy_logs/{task}/worker_{worker}"
    return ["-K", "-q", queue, "-n", str(cpus), "-J", f"dacapo_{task}_w{worker}",
            "-o", f"{logs}.out", "-e", f"{logs}.err", *extra,
            sys.executable, "-m", "dacapo.blockwise.predict_worker", "start-worker"]


def test_workers_run_as_lsf_jobs_and_write_what_local_workers_write(
        stored_run, tmp_path, fake_bsub):
    context = Bsub(num_gpus=0, queue="short", num_cpus=2, billing="lab")
    lsf = _predict(stored_run.raw, tmp_path / "lsf.zarr", context)
    assert lsf.shape == (1, 12 * 2, 12 * 2, 12 * 2)
    np.testing.assert_array_equal(lsf, stored_run.local)

    calls = _calls(fake_bsub)
    assert len(calls) == 2  # one job per worker
    workers = [_worker(call) for call in calls]
    assert sorted(worker for _, worker in workers) == ["0", "1"]
    task = workers[0][0]
    daisy_out = "".join(p.read_text() for p in Path("daisy_logs", task).glob("worker_*.out"))
    for call, (_, worker) in zip(calls, workers):
        options = _expected_options(task, worker, "short", 2, ["-P", "lab"])  # no -gpu
        assert call["args"][:len(options)] == options
        assert "--output-container" in call["args"]
        logs = Path.cwd() / "daisy_logs" / task / f"worker_{worker}"
        # the job's stderr: the worker logs its LSF job id; -o: LSF's report
        assert f"worker running in LSF job {call['job']}" in logs.with_suffix(".err").read_text()
        assert (f"Job <{call['job']}> (dacapo_{task}_w{worker}): Successfully completed."
                in logs.with_suffix(".out").read_text())
        # bsub's own output reaches daisy's log of the worker that ran it
        assert f"Job <{call['job']}> is submitted to queue <short>." in daisy_out


def test_a_killed_job_is_retried_and_the_output_is_complete(stored_run, tmp_path, fake_bsub):
    fake_bsub.fail.touch()
    lsf = _predict(stored_run.raw, tmp_path / "lsf.zarr", Bsub(num_gpus=0))
    assert not fake_bsub.fail.exists()  # one job was killed
    np.testing.assert_array_equal(lsf, stored_run.local)

    calls = _calls(fake_bsub)
    assert len(calls) == 3  # daisy started a worker in place of the killed one
    workers = [_worker(call) for call in calls]
    assert len(set(workers)) == 3
    for call, (task, worker) in zip(calls, workers):
        assert call["args"][:15] == _expected_options(task, worker, "local", 5, [])
    assert [call["killed"] for call in calls].count(True) == 1
    # which job was killed is a race between the first two; the record says
    task, killed = next(w for call, w in zip(calls, workers) if call["killed"])
    daisy_err = "".join(p.read_text() for p in Path("daisy_logs", task).glob("worker_*.err"))
    assert (f"command `bsub -K -q local -n 5 -J dacapo_{task}_w{killed} " in daisy_err
            and "exited with status 1" in daisy_err)
