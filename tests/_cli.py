"""Running the ``dacapo`` command in tests (CliRunner, stderr apart)."""

from __future__ import annotations

from typing import Optional

from click.testing import CliRunner, Result

from dacapo.cli import cli


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()  # click >= 8.2 keeps stderr apart by itself


def invoke(*args: object, input: Optional[str] = None) -> Result:
    """``dacapo ARGS`` in this process; the result has exit_code, stdout and stderr."""
    return _runner().invoke(cli, [str(arg) for arg in args], input=input, prog_name="dacapo")


def error_line(result: Result) -> str:
    """The one line a failed command printed on stderr (asserting it is one)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]
