"""The text the demo prints: score tables and the paths of what it made."""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence

import attr

from .layout import CELLS_RUN, RUN_NAMES, DemoLayout
from .validation import ValidationSummary
from .volume import VALIDATION_DATASET, VolumeResult

__all__ = ["DemoResult", "format_report", "column_value", "COLUMNS"]

#: the score columns of the tables
COLUMNS = ("F1", "dice", "VOI", "adapted Rand")


@attr.s(frozen=True, kw_only=True)
class DemoResult:
    """Everything the demo made, per run."""

    layout: DemoLayout = attr.ib()
    volume_size: int = attr.ib()
    validation: List[ValidationSummary] = attr.ib()
    volume: List[VolumeResult] = attr.ib()

    @property
    def adapted_rand_error(self) -> float:
        """The adapted Rand error of the cells' segmentation of the volume."""
        result = next(r for r in self.volume if r.run_name == CELLS_RUN)
        return result.scores["adapted_rand_error"]


def column_value(scores: Dict[str, float], column: str) -> Optional[float]:
    """The value of a table column among a run's criteria; None where the
    run's evaluator has no such criterion (e.g. dice of instances).

    >>> column_value({"mito__f1_score": 0.9, "mito__voi": 0.2}, "F1")
    0.9
    >>> column_value({"voi": 1.5, "instance_f1": 0.8}, "dice") is None
    True
    """
    for name, value in scores.items():
        metric = name.rpartition("__")[2]
        if (column, metric) in (("F1", "f1_score"), ("F1", "instance_f1"), ("dice", "dice"),
                                ("VOI", "voi"), ("adapted Rand", "adapted_rand_error")):
            return value
    return None


def format_report(result: DemoResult) -> str:
    """The tables and paths ``dacapo demo`` prints."""
    size = result.volume_size
    lines = [f"Validation on {VALIDATION_DATASET}, each run at its best iteration "
             "and parameters for its criterion:"]
    lines += _table(["run", "task", "iteration", "criterion", *COLUMNS], [
        [v.run_name, v.task, str(v.iteration), v.criterion, *_cells(v.scores)]
        for v in result.validation
    ])
    lines += ["", f"The {size}³ volume, scored against its ground truth:"]
    lines += _table(["run", "iteration", "parameters", *COLUMNS], [
        [r.run_name, str(r.iteration), r.parameters, *_cells(r.scores)] for r in result.volume
    ])
    lines += ["", f"Adapted Rand error of the cells' segmentation of the {size}³ volume: "
                  f"{_number(result.adapted_rand_error)}", ""]
    return "\n".join(lines + _paths(result))


def _paths(result: DemoResult) -> List[str]:
    layout = result.layout
    lines = ["Outputs:",
             f"  training and validation crops  {layout.data}",
             f"  volume and its ground truth    {layout.volume}"]
    for r in result.volume:
        lines += [f"  {r.run_name} prediction".ljust(33) + r.prediction,
                  f"  {r.run_name} output".ljust(33) + r.output]
    runs = ", ".join(str(layout.runs_base_dir / name) for name in RUN_NAMES)
    lines += [f"  runs (checkpoints, validation)  {runs}",
              f"  plot of loss and scores        {layout.plot}"]
    return lines


def _cells(scores: Dict[str, float]) -> List[str]:
    return [_number(column_value(scores, column)) for column in COLUMNS]


def _number(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return "nan" if math.isnan(value) else f"{value:.3f}"


def _table(header: Sequence[str], rows: List[List[str]]) -> List[str]:
    """Left-aligned columns, two spaces apart, indented by two."""
    widths = [max(len(row[i]) for row in [list(header), *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()

    return [line(header)] + [line(row) for row in rows]
