"""Every option of train, validate, predict and apply reaches the parameter of
the same name of the Python function the command calls, and the commands'
defaults are the functions' defaults."""

from __future__ import annotations

import inspect
import logging
import types

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.apply import apply
from dacapo.predict import predict
from tests._cli import invoke

PARAMETERS = "ThresholdPostProcessorParameters(threshold=0.5)"


def _array(**values):
    """What ``predict`` returns, as far as the command's closing line reads it."""
    return types.SimpleNamespace(**{"file_name": "out.zarr", "dataset": "p", "roi": "roi",
                                    "dtype": "uint8", **values})


def _defaults(function, skip):
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty and name not in skip}


@pytest.mark.parametrize("flags, do_validate", [([], True), (["--no-validation"], False),
                                                (["--validation"], True)])
def test_train_passes_the_run_and_whether_to_validate(stored_run, record, flags, do_validate):
    calls = record("dacapo.train.train")
    result = invoke("train", "--run_name", "tiny", *flags)
    assert result.exit_code == 0, result.stderr
    assert calls == [(("tiny",), {"do_validate": do_validate})]


def test_validate_passes_run_and_iteration(stored_run, record):
    calls = record("dacapo.validate.validate")
    result = invoke("validate", "-r", "tiny", "--iteration", "0")
    assert result.exit_code == 0, result.stderr
    assert calls == [(("tiny", 0), {})]
    assert "validated run 'tiny' at iteration 0; scores stored in FileStatsStore(" in result.stdout


def test_upstream_validate_options_run_with_a_warning(stored_run, record, caplog):
    calls = record("dacapo.validate.validate")
    with caplog.at_level(logging.WARNING, logger="dacapo.cli"):
        result = invoke("validate", "-r", "tiny", "-i", "0", "-w", "30", "--output_dtype",
                        "uint8", "-ow")
    assert result.exit_code == 0, result.stderr
    assert calls == [(("tiny", 0), {})]
    warnings = [r.getMessage() for r in caplog.records if r.name == "dacapo.cli.validate"]
    assert len(warnings) == 3
    assert warnings[0] == ("dacapo validate: -w/--num-workers has no effect (validation "
                           "predicts each validation crop in memory); it is accepted so that "
                           "older scripts still run")
    assert "--output-dtype" not in invoke("validate", "--help").stdout


def test_every_predict_option_reaches_predict(stored_run, raw, record, tmp_path):
    calls = record("dacapo.predict.predict", _array())
    result = invoke("predict", "-r", "tiny", "-i", "0", "-ic", raw, "-id", "raw", "-op",
                    tmp_path / "out", "-roi", "[4:20, 0:16,8:24]", "-w", "3", "-dt", "float32",
                    "--no-overwrite", "--skip-empty", "--half", "--blocks-per-pass", "2",
                    "-t", "5")
    assert result.exit_code == 0, result.stderr
    assert calls == [(("tiny", 0, str(raw), "raw", str(tmp_path / "out")), dict(
        output_roi=Roi((4, 0, 8), (16, 16, 16)), num_workers=3, output_dtype="float32",
        overwrite=False, skip_empty=True, half=True, blocks_per_pass=2, timeout=5.0))]
    assert result.stdout == "prediction written: out.zarr dataset 'p' (ROI roi, uint8)\n"


def test_predict_defaults_are_the_functions(stored_run, raw, record, tmp_path):
    calls = record("dacapo.predict.predict", _array())
    result = invoke("predict", "--run_name", "tiny", "-i", "0", "--input_container", raw,
                    "--input_dataset", "/raw", "--output_path", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    kwargs = calls[0][1]
    expected = _defaults(predict, skip={"compute_context"})
    assert np.dtype(kwargs.pop("output_dtype")) == np.dtype(expected.pop("output_dtype"))
    assert kwargs == expected


def test_every_apply_option_reaches_apply(stored_run, raw, record, tmp_path):
    calls = record("dacapo.apply.apply", types.SimpleNamespace(container="c", dataset="d"))
    result = invoke("apply", "-r", "tiny", "-ic", raw, "-id", "raw", "-op", tmp_path / "out",
                    "-vd", "crop0", "-c", "cell__dice", "-i", "0", "-p", PARAMETERS,
                    "-roi", "[0:16,0:16,0:16]", "-w", "2", "-dt", "float32", "--no-overwrite",
                    "--file-format", "n5")
    assert result.exit_code == 0, result.stderr
    assert calls == [(("tiny", str(raw), "raw", str(tmp_path / "out")), dict(
        validation_dataset="crop0", criterion="cell__dice", iteration=0, parameters=PARAMETERS,
        roi=Roi((0, 0, 0), (16, 16, 16)), num_workers=2, output_dtype="float32",
        overwrite=False, file_format="n5"))]
    assert result.stdout == "output written: c dataset 'd'\n"


def test_apply_defaults_are_the_functions(stored_run, raw, record, tmp_path):
    calls = record("dacapo.apply.apply", types.SimpleNamespace(container="c", dataset="d"))
    result = invoke("apply", "-r", "tiny", "-ic", raw, "-id", "raw", "-op", tmp_path / "out",
                    "--validation_dataset", "crop0")
    assert result.exit_code == 2  # the default criterion 'voi' is not one of this task's
    result = invoke("apply", "-r", "tiny", "-ic", raw, "-id", "raw", "-op", tmp_path / "out",
                    "--validation_dataset", "crop0", "-c", "cell__voi")
    assert result.exit_code == 0, result.stderr
    kwargs = calls[0][1]
    # (compute_context: the CLI's workers run where the options say)
    expected = _defaults(apply, skip={"criterion", "compute_context"})
    assert np.dtype(kwargs.pop("output_dtype")) == np.dtype(expected.pop("output_dtype"))
    assert kwargs == {**expected, "validation_dataset": "crop0", "criterion": "cell__voi"}


def test_train_interrupted_says_nothing_was_saved_and_exits_130(stored_run, record):
    record("dacapo.train.train", KeyboardInterrupt())
    result = invoke("train", "-r", "tiny")
    assert result.exit_code == 130
    assert result.stderr.strip() == (
        "Interrupted: run 'tiny' has no checkpoint yet (interrupted before its first "
        "iteration finished); nothing was saved")


def test_other_commands_interrupted_exit_130(stored_run, record):
    record("dacapo.validate.validate", KeyboardInterrupt())
    result = invoke("validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 130
    assert result.stderr.strip().endswith("Error: interrupted")
