"""``dacapo export``: a run as a bioimage.io package from the command line."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from dacapo.errors import ConfigError, DacapoError
from tests._bioimageio import ITERATION, offline_bioimageio, store_tiny_run
from tests._cli import error_line, invoke


def test_export_writes_a_package(runs_base_dir, tmp_path, monkeypatch):
    offline_bioimageio(monkeypatch, tmp_path / "cache")
    store_tiny_run(tmp_path, data=False)
    output = tmp_path / "model.zip"
    result = invoke("export", "-r", "tiny", "-i", ITERATION, "-o", output, "-a", "Jane Doe",
                    "-vs", "[8,8,8]", "--no-test")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"bioimage.io package written: {output}"
    assert "rdf.yaml" in zipfile.ZipFile(output).namelist()


def test_options_reach_the_export(stored_run, record, tmp_path):
    calls = record("dacapo.bioimageio_export.save_bioimage_io_model", Path("m.zip"))
    result = invoke("export", "-r", "tiny", "-i", 0, "-o", "m.zip", "-a", "Jane Doe",
                    "--author", "Joe Bloggs", "-l", "BSD-3-Clause", "-c", "10.1000/xyz",
                    "--input-test-image", __file__)
    assert result.exit_code == 0, result.stderr
    assert "it passes bioimageio.core's model test" in result.stdout
    assert calls == [(("tiny", "m.zip", ["Jane Doe", "Joe Bloggs"]), {
        "cite": ["10.1000/xyz"], "license": "BSD-3-Clause", "input_test_image_path": __file__,
        "checkpoint": 0, "in_voxel_size": None, "test_saved_model": True,
    })]


@pytest.mark.parametrize("args, message", [
    (["-i", "7", "-o", "m.zip", "-a", "J"],
     r"Invalid value for '-i' / '--iteration': run 'tiny' has no weights for iteration 7"),
    (["-i", "0", "-o", "m.tar", "-a", "J"],
     r"Invalid value for '-o' / '--output': 'm.tar' is not a .zip file"),
    (["-i", "0", "-o", "m.zip"], r"Missing option '-a' / '--author'"),
    (["-i", "0", "-o", "m.zip", "-a", "J", "-vs", "8,8,8"],
     r"Invalid value for '-vs' / '--voxel-size'"),
])
def test_bad_command_lines(stored_run, args, message):
    result = invoke("export", "-r", "tiny", *args)
    assert result.exit_code == 2
    assert re.search(message, error_line(result))


@pytest.mark.parametrize("error, code", [
    (ConfigError("bioimage.io export: citation 'x' is neither a DOI nor a URL"), 2),
    (DacapoError("bioimage.io package 'm.zip' fails bioimageio.core's model test: ..."), 1),
])
def test_failures(stored_run, record, error, code):
    record("dacapo.bioimageio_export.save_bioimage_io_model", error)
    result = invoke("export", "-r", "tiny", "-i", 0, "-o", "m.zip", "-a", "J")
    assert result.exit_code == code
    assert error_line(result) == f"Error: {error}"
