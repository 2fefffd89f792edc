"""Plots of runs: training loss and validation scores over iterations.

``plot_runs(["run_a", "run_b"], output="runs.png")`` draws, for every run in
its own colour, the training loss (a moving mean in bold over the loss of
each iteration, faint) and one panel per validation criterion. A validation
curve holds, per validated iteration, the best score over the
post-processing parameter sets; a star marks the run's best iteration.
Everything is read from the stores named by the options; nothing is
trained or validated. Figures are drawn with matplotlib's Agg canvas, so no
window ever opens.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Union

from dacapo._checks import check_bool, check_int
from dacapo._plot_data import RunCurves, load_runs, per_run
from dacapo._score_summary import best_index
from dacapo._smoothing import loss_window, smooth_values
from dacapo.errors import ConfigError

if TYPE_CHECKING:
    import os

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = ["plot_runs", "smooth_values"]

#: criteria panels per row
COLUMNS = 4
#: at most this many points of a smoothed (and of a raw) loss curve are drawn
_SMOOTH_POINTS, _RAW_POINTS = 2000, 5000
_DATASET_STYLES: Any = ("-", "--", ":", "-.")
_FORMATS = ("png", "svg", "pdf")


def plot_runs(
    run_config_base_names: Union[str, Sequence[str]],
    smooth: int = 100,
    validation_scores: Any = None,
    higher_is_betters: Any = None,
    plot_losses: Any = None,
    output: Optional[Union[str, "os.PathLike"]] = None,
) -> "Figure":
    """Draws the training loss and validation scores of the named runs.

    Args:
        run_config_base_names: The runs (names of stored run configs).
        smooth: The largest moving-mean window of the loss, in iterations;
            shorter runs are smoothed over a twentieth of their length.
        validation_scores: The criteria to draw, one entry per run: a
            criterion name, a list of names, or None for all (the default);
            a single name applies to every run.
        higher_is_betters: Per run (or one for all): whether higher scores are
            better when marking the best iteration; None (the default) asks
            the run's evaluation scores, criterion by criterion.
        plot_losses: Per run (or one for all): whether to draw its loss
            (default True).
        output: Where to write the figure (``.png``, ``.svg`` or ``.pdf``),
            atomically; None writes nothing.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        NoSuchNameError: a run has no stored config.
        ConfigError: an argument has no entry per run, or names an unknown
            criterion, or ``output`` has an unknown suffix.
    """
    names = _run_names(run_config_base_names)
    check_int("plot_runs", "smooth", smooth, 1)
    fmt = _output_format(output) if output is not None else None
    count = len(names)
    nested = " (to give one run several criteria, nest them: [['a', 'b']])"
    highers = per_run("higher_is_betters", higher_is_betters, count, None, bool)
    losses = per_run("plot_losses", plot_losses, count, True, bool)
    runs = load_runs(
        names,
        per_run("validation_scores", validation_scores, count, None, str, nested),
        [h if h is None else check_bool("plot_runs", f"higher_is_betters[{i}]", h)
         for i, h in enumerate(highers)],
        [check_bool("plot_runs", f"plot_losses[{i}]", p) for i, p in enumerate(losses)],
    )
    figure = _draw(runs, smooth)
    if output is not None and fmt is not None:
        _save(figure, output, fmt)
        logger.info("plot_runs: wrote %s", output)
    return figure


# ---------------------------------------------------------------- layout ---


def _draw(runs: List[RunCurves], smooth: int) -> "Figure":
    """The loss panel on top (full width), the criteria panels below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    criteria = _panel_criteria(runs)
    columns = min(COLUMNS, max(1, len(criteria)))
    rows = math.ceil(len(criteria) / columns)
    figure = Figure(figsize=(max(12.0, 4.0 * columns), 4.5 + 3.0 * rows), layout="constrained")
    FigureCanvasAgg(figure)  # Agg only: savefig never needs a window system
    grid = figure.add_gridspec(rows + 1, columns, height_ratios=[1.5] + [1.0] * rows)
    loss_axes = figure.add_subplot(grid[0, :])
    _draw_losses(loss_axes, runs, smooth)
    panels = [loss_axes]
    for index, criterion in enumerate(criteria):
        row, column = divmod(index, columns)
        panels.append(figure.add_subplot(grid[row + 1, column]))
        _draw_criterion(panels[-1], runs, criterion)
        panels[-1].set_xlabel("iteration" if index + columns >= len(criteria) else "")
        panels[-1].set_ylabel("best over parameters" if column == 0 else "")
    _same_iterations(panels)
    _legend(loss_axes, runs, has_validation=bool(criteria))
    figure.suptitle(f"DaCapo: {_shorten(', '.join(r.name for r in runs))}", fontsize=14,
                    fontweight="bold")
    return figure


def _same_iterations(panels: List["Axes"]) -> None:
    """One iteration range for every panel (each keeps ticks that fit its width)."""
    ranges = [axes.dataLim.intervalx for axes in panels if axes.has_data()]
    if not ranges:
        return
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    margin = 0.03 * (high - low) or 1.0
    for axes in panels:
        axes.set_xlim(low - margin, high + margin)


def _panel_criteria(runs: List[RunCurves]) -> List[str]:
    """Every plotted criterion, once: those with a kept best checkpoint first."""
    kept: List[str] = []
    others: List[str] = []
    for run in runs:
        if run.validation is None:
            continue
        for criterion in run.validation.criteria:
            if criterion in run.validation.kept and criterion not in kept:
                kept.append(criterion)
            elif criterion not in others:
                others.append(criterion)
    return kept + [c for c in others if c not in kept]


def _color(index: int):
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    return palette(index % palette.N)


# ------------------------------------------------------------------ loss ---


def _draw_losses(axes: "Axes", runs: List[RunCurves], smooth: int) -> None:
    """Per run: its loss faint, the moving mean bold; log scale over decades."""
    import numpy as np

    windows, smoothed_all, raw_min = set(), [], math.inf
    for index, run in enumerate(runs):
        if run.loss is None or len(run.loss.losses) == 0:
            continue
        iterations, losses = run.loss.iterations, run.loss.losses
        step = math.ceil(len(losses) / _RAW_POINTS)
        axes.plot(iterations[::step], losses[::step], color=_color(index), alpha=0.2,
                  linewidth=0.7, label=f"_raw loss {run.name}")
        window = loss_window(len(losses), smooth)
        stride = math.ceil((len(losses) - window + 1) / _SMOOTH_POINTS)
        x, _ = smooth_values(iterations, window, stride)
        y, _ = smooth_values(losses, window, stride)
        axes.plot(x, y, color=_color(index), linewidth=2.0, label=run.name)
        windows.add(window)
        smoothed_all.extend(y[np.isfinite(y)])
        raw_min = min(raw_min, float(losses[np.isfinite(losses)].min(initial=math.inf)))
    _loss_scale(axes, smoothed_all, raw_min)
    _loss_labels(axes, windows)


def _loss_scale(axes: "Axes", smoothed: List[float], raw_min: float) -> None:
    """Log scale when the smoothed losses span a decade or more (their 5th to
    95th percentile, so a few outliers do not count) and are all positive."""
    import numpy as np

    if not smoothed or raw_min <= 0 or min(smoothed) <= 0:
        return
    low, high = np.percentile(smoothed, [5, 95])
    if high >= 10 * low:
        axes.set_yscale("log")


def _loss_labels(axes: "Axes", windows: set) -> None:
    if not windows:
        axes.text(0.5, 0.5, "no training loss stored (or asked for)", transform=axes.transAxes,
                  ha="center", va="center", color="gray")
    if windows == {1}:
        title = "Training loss per iteration (too few iterations to smooth)"
    else:
        mean = f"moving mean of {min(windows)} iterations" if len(windows) == 1 else "moving mean"
        title = f"Training loss ({mean} in bold, every iteration faint)"
    axes.set_title(title, fontsize=11)
    axes.set_xlabel("iteration")
    axes.set_ylabel("loss")
    axes.grid(True, alpha=0.3)


# ------------------------------------------------------------ validation ---


def _draw_criterion(axes: "Axes", runs: List[RunCurves], criterion: str) -> None:
    """One line per run and dataset; a star at the run's best iteration."""
    direction = None
    for index, run in enumerate(runs):
        curves = run.validation
        if curves is None or criterion not in curves.criteria:
            continue
        column = curves.criteria.index(criterion)
        higher = curves.higher_is_better[criterion]
        direction = higher if direction is None else direction
        for position, dataset in enumerate(curves.datasets):
            values = curves.values[:, position, column]
            style = _DATASET_STYLES[position % len(_DATASET_STYLES)]
            axes.plot(curves.iterations, values, color=_color(index), linestyle=style,
                      marker="o", markersize=3, linewidth=1.5, label=f"{run.name} {dataset}")
            best = best_index(values, higher)
            if best is not None:
                axes.plot([curves.iterations[best]], [values[best]], linestyle="none",
                          marker="*", markersize=15, color=_color(index), markeredgecolor="black",
                          markeredgewidth=0.8, zorder=5, label=f"_best {run.name} {dataset}")
    arrow = "" if direction is None else (" ↑" if direction else " ↓")
    axes.set_title(f"{criterion}{arrow}", fontsize=9)
    axes.grid(True, alpha=0.3)


def _legend(axes: "Axes", runs: List[RunCurves], has_validation: bool) -> None:
    """Runs by colour, datasets by line style, the best-iteration star."""
    from matplotlib.lines import Line2D

    handles = []
    for index, run in enumerate(runs):
        note = " (no validation scores)" if has_validation and run.validation is None else ""
        handles.append(Line2D([], [], color=_color(index), linewidth=2.5, label=run.name + note))
    if has_validation:
        datasets = _dataset_names(runs)
        if len(datasets) > 1:
            for position, dataset in enumerate(datasets):
                style = _DATASET_STYLES[position % len(_DATASET_STYLES)]
                handles.append(Line2D([], [], color="gray", linestyle=style, label=dataset))
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=13, color="gray",
                              markeredgecolor="black", label="best iteration"))
        handles.append(Line2D([], [], linestyle="none", label="↑ / ↓: higher / lower is better"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9,
                frameon=False)


def _dataset_names(runs: List[RunCurves]) -> List[str]:
    names: List[str] = []
    for run in runs:
        if run.validation is not None:
            names.extend(d for d in run.validation.datasets if d not in names)
    return names


# ------------------------------------------------------------- arguments ---


def _run_names(names: Any) -> List[str]:
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)) or not names or not all(
        isinstance(n, str) and n for n in names
    ):
        raise ConfigError(
            "plot_runs: `run_config_base_names` must name at least one run (a list of "
            f"run names, or one name), got {names!r}"
        )
    return list(names)


def _output_format(output: Any) -> str:
    from dacapo._paths import as_path

    suffix = as_path(output).suffix.lower().lstrip(".")
    if suffix not in _FORMATS:
        raise ConfigError(
            f"plot_runs: `output` {str(output)!r} must end in "
            f"{', '.join('.' + f for f in _FORMATS)}; e.g. runs.png"
        )
    return suffix


def _save(figure: "Figure", output: Any, fmt: str) -> None:
    """Writes the figure atomically (a temporary file replaces ``output``)."""
    from dacapo._paths import as_path
    from dacapo.store._files import atomic_write

    atomic_write(as_path(output), lambda stream: figure.savefig(stream, format=fmt, dpi=100))


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
