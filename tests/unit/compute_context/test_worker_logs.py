"""Where a cluster worker's logs go, read from daisy's worker context."""

from __future__ import annotations

import os
from pathlib import Path

import daisy

from dacapo.compute_context._worker_logs import WorkerLogs, worker_logs


def test_the_worker_daisy_describes_and_its_log_files(tmp_path):
    context = daisy.Context(hostname="node1", port=1234, task_id="predict_ab12",
                            worker_id=3, logdir=str(tmp_path / "logs"))
    logs = worker_logs({"DAISY_CONTEXT": context.to_env()})
    assert logs == WorkerLogs("predict_ab12", "3", tmp_path / "logs")
    assert logs.out == tmp_path / "logs" / "predict_ab12" / "worker_3.out"
    assert logs.err == tmp_path / "logs" / "predict_ab12" / "worker_3.err"
    assert logs.job_name == "dacapo_predict_ab12_w3"
    logs.make_dirs()
    assert (tmp_path / "logs" / "predict_ab12").is_dir()


def test_daisy_default_log_dir_when_the_context_names_none():
    context = "task_id=t:worker_id=0:hostname=h:port=1"
    assert worker_logs({"DAISY_CONTEXT": context}).out == Path("daisy_logs/t/worker_0.out")


def test_outside_daisy_a_command_gets_its_own_log_files():
    logs = worker_logs({})
    assert logs.task_id == "dacapo" and logs.worker_id == f"command_{os.getpid()}"
    assert logs.log_dir == Path("daisy_logs")
