"""``dacapo demo`` and ``python -m dacapo.demo``: options reach ``run_demo``,
the report is printed, bad input is one line and exit code 2."""

from __future__ import annotations

import attr
import pytest

from dacapo._demo.settings import DemoSettings
from tests._cli import error_line, invoke


@pytest.fixture
def demo_calls(record):
    """The calls of ``run_demo`` (faked) and what the command printed with it."""
    calls = record("dacapo._demo.run_demo", returns="RESULT")
    record("dacapo._demo.format_report", returns="the table")
    return calls


def test_defaults_are_the_settings_defaults(demo_calls):
    result = invoke("demo")
    assert result.exit_code == 0, result.stderr
    assert demo_calls == [((DemoSettings(),), {"fresh": False})]
    assert result.stdout == "the table\n"


def test_the_knobs_and_fresh_reach_run_demo(demo_calls):
    result = invoke("demo", "--fresh", "--iterations", 5, "--validation_interval", 2,
                    "--crop-size", 50, "--volume-size", 64, "--workers", 1)
    assert result.exit_code == 0, result.stderr
    settings = DemoSettings(iterations=5, validation_interval=2, crop_size=50, volume_size=64,
                            workers=1)
    assert demo_calls == [((settings,), {"fresh": True})]


def test_the_help_lists_every_option_with_its_default():
    result = invoke("demo", "--help")
    assert result.exit_code == 0
    assert "Show DaCapo working end to end on synthetic EM-like data." in result.stdout
    for name in ("--fresh", "--iterations", "--validation-interval", "--crop-size",
                 "--volume-size", "--workers"):
        assert name in result.stdout
    for field in ("iterations", "crop_size", "volume_size", "workers"):
        default = attr.fields_dict(DemoSettings)[field].default
        assert f"[default: {default}; x>=" in " ".join(result.stdout.split())
    assert "run_demo" not in result.stdout  # developer detail stays behind \f
    assert "demo  " in invoke("--help").stdout


@pytest.mark.parametrize("args, match", [
    (["--crop-size", "20"], "'--crop-size': 20 is not in the range x>=50"),
    (["--iterations", "0"], "'--iterations': 0 is not in the range x>=1"),
    (["--workers", "two"], "'--workers': 'two' is not a valid integer"),
])
def test_bad_options_are_one_line_and_exit_2(demo_calls, args, match):
    result = invoke("demo", *args)
    assert result.exit_code == 2
    assert match in error_line(result)
    assert demo_calls == []


def test_python_m_dacapo_demo_runs_the_command(demo_calls, capsys):
    from dacapo.demo import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--iterations", "3", "--workers", "1"])
    assert exit_info.value.code == 0
    assert demo_calls == [((DemoSettings(iterations=3, workers=1),), {"fresh": False})]
    assert capsys.readouterr().out == "the table\n"
