"""``--help`` reads well and answers fast: one line per command, each option's
unit and default shown, upstream's underscore spellings hidden, and no heavy
package (torch, gunpowder, daisy, zarr, funlib) imported."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from dacapo.cli import cli
from tests._cli import invoke

#: the workflow commands, listed first and in this order
WORKFLOW = ["config", "train", "validate", "predict", "apply", "run-blockwise",
            "segment-blockwise"]
#: every command (the tools after training follow the workflow)
COMMANDS = list(cli.commands)
HEAVY = ("torch", "gunpowder", "daisy", "zarr", "funlib")
#: options whose values are sizes or places: their help names the unit
GEOMETRY = {"output_roi", "roi", "total_roi", "read_roi_size", "write_roi_size", "context"}


def test_dacapo_help_lists_the_seven_commands_one_line_each():
    result = invoke("--help")
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed][:7] == WORKFLOW
    assert [line.split()[0] for line in listed] == COMMANDS
    assert "plot" in COMMANDS
    assert all(re.match(r"^  [a-z-]+ +\S", line) for line in listed)  # no wrapped lines


@pytest.mark.parametrize("name", COMMANDS)
def test_each_option_says_its_default_and_unit(name):
    command = cli.commands[name]
    text = invoke(name, "--help").stdout
    assert "_" not in " ".join(re.findall(r"--[\w-]+", text))  # no --run_name in the help
    ctx = click.Context(command, info_name=name)
    for param in command.params:
        record = param.get_help_record(ctx)
        if record is None or param.name == "help":
            continue
        spec, help_text = record
        if param.required or (getattr(param, "is_flag", False) and param.default is False):
            continue
        assert "[default: " in help_text, (name, spec)
        if param.name in GEOMETRY:
            assert "voxels" in help_text or "world units" in help_text, (name, spec)


def test_the_underscore_spellings_work(stored_run, record):
    calls = record("dacapo.train.train")
    assert invoke("train", "--run_name", "tiny").exit_code == 0
    assert calls == [(("tiny",), {"do_validate": True})]


def _imported_by(*args: str) -> set:
    """Modules ``python -X importtime -m dacapo.cli ARGS`` imports."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "dacapo.cli", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage: dacapo" in result.stdout
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:")}


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_help_imports_no_heavy_package(name):
    modules = _imported_by(*([name] if name else []), "--help")
    assert "dacapo.cli" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"dacapo {name or ''} --help imported {heavy[:5]}"


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "dacapo"
    assert script.is_file(), "run: pip install -e . (the dacapo console script is missing)"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "segment-blockwise" in result.stdout


def test_dacapo_alone_shows_the_help():
    result = invoke()
    assert "Commands:" in result.stdout + result.stderr


def test_log_level_holds_for_the_command_only(stored_run, monkeypatch):
    import logging

    seen = []
    monkeypatch.setattr("dacapo.train.train", lambda *a, **k: seen.append(
        logging.getLogger("dacapo").getEffectiveLevel()))
    before = logging.getLogger("dacapo").level
    assert invoke("--log-level", "error", "train", "-r", "tiny").exit_code == 0
    assert seen == [logging.ERROR] and logging.getLogger("dacapo").level == before
