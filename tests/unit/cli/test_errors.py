"""Bad input ends a command with one line on stderr, naming the option, the
value and what was expected, and exit code 2; other failures exit with 1,
tracebacks only with --log-level DEBUG."""

from __future__ import annotations

import re

import pytest
import yaml

from dacapo.errors import (
    ArrayNotFoundError,
    BlockwiseError,
    ConfigError,
    NoSuchCheckpointError,
    RoiError,
    StoreError,
)
from tests._cli import error_line, invoke

PARAMETERS = "ThresholdPostProcessorParameters(threshold=0.5)"


def _predict(raw, tmp_path, *options):
    return ["predict", "-r", "tiny", "-i", "0", "-ic", raw, "-id", "raw", "-op",
            tmp_path / "out", *options]


def _apply(raw, tmp_path, *options):
    return ["apply", "-r", "tiny", "-ic", raw, "-id", "raw", "-op", tmp_path / "out", *options]


def _fails(args, pattern):
    result = invoke(*args)
    line = error_line(result)
    assert result.exit_code == 2, line
    assert re.search(pattern, line), line
    return line


def test_a_missing_run_is_named_with_the_stored_ones(stored_run):
    line = _fails(["train", "-r", "tiny2"], r"^Error: Invalid value for '-r' / '--run-name': "
                  r"run 'tiny2' is not in the config store FileConfigStore\('.*/configs'\); "
                  r"stored runs: 'tiny'; check the name")
    assert "--run_name" not in line


def test_a_missing_option_is_named_without_its_underscore_spelling(stored_run):
    _fails(["validate", "-r", "tiny"], r"^Error: Missing option '-i' / '--iteration'\. "
           r"\(see 'dacapo validate --help'\)$")
    line = _fails(["train"], r"Missing option '-r' / '--run-name'")
    assert "run_name" not in line


def test_a_mistyped_option_is_suggested(stored_run):
    line = _fails(["train", "--run-nam", "tiny"],
                  r"No such option.*--run-nam.*Did you mean.*--run-name")
    assert "run_name" not in line


@pytest.mark.parametrize("roi, pattern", [
    ("[0:8,x:8,0:8]", r"'\[0:8,x:8,0:8\]' is not a ROI; expected '\[z0:z1,y0:y1,x0:x1\]' in "
                      r"world units"),
    ("0:8,0:8,0:8", r"'0:8,0:8,0:8' is not a ROI"),
    ("[8:0,0:8,0:8]", r"'\[8:0,0:8,0:8\]' has an axis whose end is not after its begin"),
])
def test_a_roi_that_does_not_parse(stored_run, raw, tmp_path, roi, pattern):
    _fails(_predict(raw, tmp_path, "-roi", roi), r"Invalid value for '-roi' / '--output-roi': "
           + pattern)


def test_a_roi_of_other_dimensions_is_refused_by_predict(stored_run, raw, tmp_path):
    _fails(_predict(raw, tmp_path, "-roi", "[0:8,0:8]"),
           r"^Error: predict: output_roi must be a 3D funlib Roi or a string")
    assert not (tmp_path / "out").exists()


def test_a_container_that_does_not_exist(stored_run, tmp_path):
    _fails(_predict(tmp_path / "nothing.zarr", tmp_path),
           r"Invalid value for '-ic' / '--input-container': container '.*nothing.zarr' does "
           r"not exist; give the path of an existing zarr or N5 container")


def test_a_dataset_that_does_not_exist_names_what_is_there(stored_run, raw, tmp_path):
    args = _predict(raw, tmp_path)
    args[args.index("raw")] = "raww"
    _fails(args, r"Invalid value for '-id' / '--input-dataset': no dataset 'raww' in container "
           r"'.*raw.zarr'; the container holds 'raw'$")


def test_an_iteration_without_weights(stored_run, raw, tmp_path, runs_base_dir):
    args = _predict(raw, tmp_path)
    args[args.index("-i") + 1] = "5"
    _fails(args, r"Invalid value for '-i' / '--iteration': run 'tiny' has no weights for "
           r"iteration 5 \(stored checkpoints: none\); choose a stored iteration, 0 for the "
           r"freshly initialised model, or train further with 'dacapo train -r tiny'")
    _fails(["validate", "-r", "tiny", "-i", "5"], r"'-i' / '--iteration': run 'tiny' has no "
           r"weights for iteration 5")
    _fails(_apply(raw, tmp_path, "-i", "5", "-p", PARAMETERS), r"'-i' / '--iteration'")
    _fails(["validate", "-r", "tiny", "-i", "-1"], r"'-i' / '--iteration': -1 is not in the "
           r"range x>=0")


def test_an_iteration_between_checkpoints_is_named_by_predict(stored_run, raw, tmp_path,
                                                              runs_base_dir):
    iterations = runs_base_dir / "tiny" / "checkpoints" / "iterations"
    iterations.mkdir(parents=True)
    for iteration in (2, 4):
        (iterations / str(iteration)).write_bytes(b"")  # only their names are read
    args = _predict(raw, tmp_path)
    args[args.index("-i") + 1] = "3"
    _fails(args, r"^Error: predict: run 'tiny' has no weights for iteration 3 .*stored "
           r"iterations: 2, 4$")


@pytest.mark.parametrize("args, pattern", [
    (["-dt", "int7"], r"'-dt' / '--output-dtype': 'int7' is not one of 'uint8', 'float32'"),
    (["-w", "0"], r"'-w' / '--num-workers': 0 is not in the range x>=1"),
    (["-t", "soon"], r"'-t' / '--timeout': 'soon' is not a valid float"),
])
def test_bad_predict_values(stored_run, raw, tmp_path, args, pattern):
    _fails(_predict(raw, tmp_path, *args), pattern)


def test_a_bad_criterion_is_named_with_the_runs_criteria(stored_run, raw, tmp_path):
    _fails(_apply(raw, tmp_path, "-vd", "crop0", "-c", "voi"),
           r"Invalid value for '-c' / '--criterion': 'voi' is not a criterion of run 'tiny'; "
           r"did you mean 'cell__voi'\? its criteria: cell__dice, ")


def test_bad_parameters_are_named(stored_run, raw, tmp_path):
    _fails(_apply(raw, tmp_path, "-i", "0", "-p", "Threshold(x=1)"),
           r"Invalid value for '-p' / '--parameters': parameters 'Threshold\(x=1\)': unknown "
           r"PostProcessorParameters type 'Threshold'")
    _fails(_apply(raw, tmp_path, "-i", "0", "-p", "ThresholdPostProcessorParameters(threshold="),
           r"'-p' / '--parameters': .* do not parse")


def test_apply_needs_an_iteration_and_parameters_or_a_validation_dataset(stored_run, raw,
                                                                         tmp_path):
    _fails(_apply(raw, tmp_path), r"^Error: give -i/--iteration and -p/--parameters, or "
           r"-vd/--validation-dataset \(with -c/--criterion\) to use the best that validation "
           r"recorded \(see 'dacapo apply --help'\)$")
    _fails(_apply(raw, tmp_path, "-i", "0"), r"give -p/--parameters, or -vd")


def test_a_broken_options_file_is_one_line(tmp_path, monkeypatch):
    options = tmp_path / "broken.yaml"
    options.write_text(yaml.safe_dump({"type": "files", "runs_dir": "x"}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    _fails(["train", "-r", "tiny"], r"options from .*broken.yaml: unknown key\(s\) \['runs_dir'\]")


INPUT_ERRORS = [ConfigError("predict: bad\nvalue"), RoiError("roi off the grid"),
                ArrayNotFoundError("no array"), NoSuchCheckpointError("no checkpoint")]


@pytest.mark.parametrize("error", INPUT_ERRORS, ids=lambda e: type(e).__name__)
def test_input_errors_raised_later_are_one_line_with_exit_2(stored_run, record, error):
    record("dacapo.validate.validate", error)
    result = invoke("validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 2
    assert error_line(result) == f"Error: {' '.join(str(error).split())}"


@pytest.mark.parametrize("error", [BlockwiseError("blocks 1, 2 failed\nFirst failure:\nboom"),
                                   StoreError("disk full")], ids=lambda e: type(e).__name__)
def test_other_dacapo_errors_show_their_message_with_exit_1(stored_run, record, error):
    record("dacapo.validate.validate", error)
    result = invoke("validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {error}\n"


def test_a_bug_is_one_line_with_exit_1_and_a_traceback_only_with_debug(stored_run, record):
    record("dacapo.validate.validate", ValueError("oops"))
    result = invoke("validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: unexpected ValueError: oops (run with --log-level "
                                  "DEBUG for the traceback)")
    result = invoke("--log-level", "DEBUG", "validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith("ValueError: oops\nError: unexpected ValueError: oops\n")


def test_an_input_error_shows_its_traceback_with_debug(stored_run, record):
    record("dacapo.validate.validate", RoiError("roi off the grid"))
    result = invoke("--log-level", "debug", "validate", "-r", "tiny", "-i", "0")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and result.stderr.endswith("Error: roi off the grid\n")


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == f"dacapo {version('dacapo-ml')}\n"


def test_a_bad_log_level_is_named():
    _fails(["--log-level", "LOUD", "train"], r"'--log-level': 'LOUD' is not one of")

