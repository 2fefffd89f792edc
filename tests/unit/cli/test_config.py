"""``dacapo config`` asks, checks and writes ./dacapo.yaml; the compute
contexts and their parameters come from the registered classes."""

from __future__ import annotations

from pathlib import Path
from typing import List

import attr
import yaml

from dacapo.compute_context import ComputeContext, LocalTorch, create_compute_context
from dacapo.options import Options
from tests._cli import invoke


def _answers(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def _written() -> dict:
    return yaml.safe_load((Path.cwd() / "dacapo.yaml").read_text())


def test_files_store_and_local_torch(tmp_path):
    result = invoke("config", input=_answers(tmp_path / "runs", "files", "LocalTorch", "no",
                                             "cpu", ""))
    assert result.exit_code == 0, result.stderr
    written = _written()
    assert written["type"] == "files" and written["runs_base_dir"] == str(tmp_path / "runs")
    assert written["compute_context"] == {
        "type": "LocalTorch",
        "config": {"distribute_workers": False, "device": "cpu", "oom_limit": 4.2},
    }
    assert "mongo_db_host" not in written
    assert Options.instance().runs_base_dir == tmp_path / "runs"  # found in ./dacapo.yaml
    context = create_compute_context()
    assert isinstance(context, LocalTorch) and str(context.device) == "cpu"
    assert f"wrote {Path.cwd() / 'dacapo.yaml'}" in result.stdout
    assert not list(Path.cwd().glob(".dacapo.yaml.*"))  # the temporary file is gone


def test_mongo_store_asks_host_and_database():
    result = invoke("config", input=_answers("~/runs", "mongo", "mongodb://db:27017", "lab",
                                             "", "", "", ""))
    assert result.exit_code == 0, result.stderr
    written = _written()
    assert (written["type"], written["mongo_db_host"], written["mongo_db_name"]) == (
        "mongo", "mongodb://db:27017", "lab")
    assert written["runs_base_dir"] == str(Path.home() / "runs")
    assert written["compute_context"]["config"]["device"] is None  # "none" is no device


def test_an_existing_file_is_kept_unless_the_user_agrees():
    path = Path.cwd() / "dacapo.yaml"
    path.write_text("type: files\nruns_base_dir: /data/runs\n")
    result = invoke("config", input=_answers("n"))
    assert result.exit_code == 0
    assert "kept unchanged" in result.stdout
    assert path.read_text() == "type: files\nruns_base_dir: /data/runs\n"
    result = invoke("config", input=_answers("y", "", "", "", "", "", ""))
    assert result.exit_code == 0, result.stderr
    assert "Runs base directory (configs, stats, checkpoints) [/data/runs]" in result.stdout
    assert _written()["runs_base_dir"] == "/data/runs"  # the old answers are the defaults


def test_wrong_answers_are_asked_again():
    result = invoke("config", input=_answers("", "sql", "files", "LocalTorch", "maybe", "no",
                                             "cuda:x", "", "no", "cpu", "lots", "2"))
    assert result.exit_code == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Error: 'sql' is not one of 'files', 'mongo'." in output
    assert "Error: 'maybe' is not a valid boolean" in output
    assert ("Error: options compute_context: LocalTorch: `device` must be one of 'cpu', "
            "'cuda', 'cuda:N' (N a GPU index) or 'mps', got 'cuda:x'") in output
    assert "Error: 'lots' is not a number for oom_limit (or none)" in output
    assert _written()["compute_context"]["config"] == {
        "distribute_workers": False, "device": "cpu", "oom_limit": 2.0}


def test_a_new_compute_context_is_offered_with_its_parameters():
    @attr.s
    class TestCluster(ComputeContext):
        """A compute context defined here: the command must find it."""

        partition: str = attr.ib(default="short",
                                 metadata={"help_text": "Partition the jobs run in."})
        gpus: int = attr.ib(default=1, metadata={"help_text": "GPUs per job."})
        extra_args: List[str] = attr.ib(factory=lambda: ["--exclusive"],
                                        metadata={"help_text": "More sbatch arguments."})

        @property
        def device(self):
            return "cpu"

    result = invoke("config", input=_answers("", "", "TestCluster", "yes", "", "2",
                                             "--qos high"))
    assert result.exit_code == 0, result.stderr
    assert "TestCluster" in result.stdout and "  partition: Partition the jobs run in." in (
        result.stdout)
    assert "  extra_args [--exclusive]:" in result.stdout
    assert _written()["compute_context"] == {"type": "TestCluster", "config": {
        "distribute_workers": True, "partition": "short", "gpus": 2,
        "extra_args": ["--qos", "high"]}}


def test_an_options_file_named_in_the_environment_is_said_to_win(tmp_path, monkeypatch):
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(tmp_path / "other.yaml"))
    result = invoke("config", input=_answers("", "", "", "", "", ""))
    assert result.exit_code == 0, result.stderr
    assert f"note: DACAPO_OPTIONS_FILE={tmp_path / 'other.yaml'} is read before" in result.stderr


def test_end_of_input_aborts_without_writing():
    result = invoke("config", input=_answers("", "files"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: aborted"
    assert not (Path.cwd() / "dacapo.yaml").exists()
