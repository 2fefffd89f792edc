"""Where ``apply`` writes: the output container named by ``output_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dacapo.apply import _output_container


@pytest.mark.parametrize("output_path, file_format, expected", [
    ("out", "zarr", "out/data.zarr"),           # a directory: <input stem>.<format> in it
    ("out/", "n5", "out/data.n5"),
    ("seg.zarr", "zarr", "seg.zarr"),           # a container: itself, as for predict
    ("seg.n5/", "zarr", "seg.n5"),
    ("runs.zarr.d/seg", "zarr", "runs.zarr.d/seg/data.zarr"),
])
def test_a_container_path_is_used_as_it_is_and_a_directory_gets_one(output_path, file_format,
                                                                    expected):
    assert _output_container(output_path, "/data/data.zarr/", file_format) == Path(expected)
