"""ComputeContext: wrapping and executing commands."""

from __future__ import annotations

import subprocess
import sys

import attr
import pytest
import torch

from dacapo.compute_context import CommandError, ComputeContext, LocalTorch
from dacapo.errors import ConfigError, DacapoError


def python(code):
    return [sys.executable, "-c", code]


def test_wrap_command_stringifies_every_part(tmp_path):
    assert LocalTorch().wrap_command(["python", tmp_path / "w.py", 3, 0.5]) == [
        "python", str(tmp_path / "w.py"), "3", "0.5"]


@pytest.mark.parametrize(
    "command, match",
    [
        ("python worker.py", "expected a list of arguments .*got str 'python worker.py'.*shlex"),
        (42, "expected a list of arguments .*got int 42"),
        ([], "the command is empty"),
    ],
)
def test_wrap_command_refuses_what_is_not_a_command(command, match):
    with pytest.raises(ConfigError, match=f"LocalTorch.wrap_command: {match}"):
        LocalTorch().wrap_command(command)


def test_execute_runs_the_command_and_forwards_its_output(capsys):
    result = LocalTorch().execute(python("import sys; print(1); print('note', file=sys.stderr)"))
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 0 and result.args == python(
        "import sys; print(1); print('note', file=sys.stderr)")
    assert result.stderr == "note"
    captured = capsys.readouterr()
    assert captured.out == "1\n" and captured.err == "note\n"


def test_a_failing_command_raises_with_status_and_stderr_tail(capsys):
    code = "import sys\nfor i in range(30): print('line', i, file=sys.stderr)\nsys.exit(3)"
    with pytest.raises(CommandError, match="exited with status 3; last lines") as info:
        LocalTorch().execute(python(code))
    error = info.value
    assert isinstance(error, DacapoError)
    assert error.returncode == 3 and error.command == python(code)
    assert "line 29" in str(error) and "line 9\n" not in str(error)  # only the tail
    assert sys.executable in str(error)
    assert capsys.readouterr().err.count("line") == 30  # all of it was forwarded


def test_a_program_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="cannot start command `.*no-such-program`: .*No such "
                       "file.*check that .* is installed and on PATH") as info:
        LocalTorch().execute([str(tmp_path / "no-such-program")])
    assert info.value.returncode == 127


def test_execute_passes_the_options_file_and_extra_environment(runs_base_dir, capsys):
    code = "import os; print(os.environ['DACAPO_OPTIONS_FILE'], os.environ['EXTRA'])"
    LocalTorch().execute(python(code), env={"EXTRA": "yes"})
    options_file, extra = capsys.readouterr().out.split()
    assert options_file == str((runs_base_dir.parent / "dacapo.yaml").resolve())
    assert extra == "yes"


def test_a_subclass_wraps_commands_and_execute_runs_the_wrapped_one(capsys):
    @attr.s
    class EchoPrefix(ComputeContext):
        """Runs every command through ``python -c`` printing a prefix first."""

        prefix: str = attr.ib(default=">>")

        @property
        def device(self):
            return torch.device("cpu")

        def _wrap_command(self, command):
            return python(f"import subprocess, sys; print({self.prefix!r}, flush=True); "
                          f"sys.exit(subprocess.call({command!r}))")

    context = EchoPrefix(distribute_workers=True)
    assert context.wrap_command(["a", 1])[:2] == [sys.executable, "-c"]
    context.execute(python("print('inner')"))
    assert capsys.readouterr().out == ">>\ninner\n"
    assert EchoPrefix.registry().get("EchoPrefix") is EchoPrefix


def test_the_base_class_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        ComputeContext()
