"""What the demo prints: both score tables, the adapted Rand error and the paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from dacapo._demo.layout import DemoLayout
from dacapo._demo.report import DemoResult, column_value, format_report
from dacapo._demo.validation import ValidationSummary
from dacapo._demo.volume import VolumeResult

MITO = {"mito__f1_score": 0.91, "mito__dice": 0.92, "mito__voi": 0.05,
        "mito__f1_score_with_tolerance": 0.99}
CELLS = {"voi_split": 0.2, "voi_merge": 0.1, "voi": 0.3, "adapted_rand_error": 0.0456,
         "instance_f1": 0.8}


def _result(tmp_path: Path, cells_are: float = 0.0456) -> DemoResult:
    layout = DemoLayout(tmp_path / "runs")
    out = layout.outputs / "volume.zarr"
    return DemoResult(
        layout=layout, volume_size=256,
        validation=[
            ValidationSummary(run_name="demo_mito", task="distance (mito)", iteration=600,
                              criterion="mito__f1_score", scores=MITO),
            ValidationSummary(run_name="demo_cells", task="affinities (cells)", iteration=400,
                              criterion="adapted_rand_error", scores=CELLS),
        ],
        volume=[
            VolumeResult(run_name="demo_mito", iteration=600, criterion="mito__f1_score",
                         parameters="threshold_0.1", prediction=str(out / "prediction_m"),
                         output=str(out / "output_m"), scores=MITO),
            VolumeResult(run_name="demo_cells", iteration=400, criterion="adapted_rand_error",
                         parameters="bias_0.5", prediction=str(out / "prediction_c"),
                         output=str(out / "output_c"),
                         scores=dict(CELLS, adapted_rand_error=cells_are)),
        ],
    )


@pytest.mark.parametrize("scores, column, expected", [
    (MITO, "F1", 0.91), (MITO, "dice", 0.92), (MITO, "VOI", 0.05), (MITO, "adapted Rand", None),
    (CELLS, "F1", 0.8), (CELLS, "dice", None), (CELLS, "VOI", 0.3),
    (CELLS, "adapted Rand", 0.0456),
])
def test_columns_pick_the_criterion_of_each_kind_of_run(scores, column, expected):
    assert column_value(scores, column) == expected


def test_the_report_has_both_tables_the_error_and_the_paths(tmp_path):
    text = format_report(_result(tmp_path))
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Validation on crop0"))
    assert lines[header + 1].split() == [
        "run", "task", "iteration", "criterion", "F1", "dice", "VOI", "adapted", "Rand"]
    assert lines[header + 2].split() == [
        "demo_mito", "distance", "(mito)", "600", "mito__f1_score", "0.910", "0.920", "0.050",
        "-"]
    assert lines[header + 3].split() == [
        "demo_cells", "affinities", "(cells)", "400", "adapted_rand_error", "0.800", "-",
        "0.300", "0.046"]
    volume = lines.index("The 256³ volume, scored against its ground truth:")
    assert lines[volume + 2].split()[:3] == ["demo_mito", "600", "threshold_0.1"]
    assert lines[volume + 3].split()[-4:] == ["0.800", "-", "0.300", "0.046"]
    assert ("Adapted Rand error of the cells' segmentation of the 256³ volume: 0.046"
            in lines)
    runs = tmp_path / "runs"
    for path in (runs / "demo" / "data.zarr", runs / "demo" / "volume.zarr",
                 runs / "demo" / "outputs" / "volume.zarr" / "output_c",
                 runs / "demo" / "runs.png", runs / "demo_cells"):
        assert str(path) in text


def test_nan_scores_print_as_nan(tmp_path):
    result = _result(tmp_path, cells_are=float("nan"))
    assert result.adapted_rand_error != result.adapted_rand_error
    assert "segmentation of the 256³ volume: nan" in format_report(result)
