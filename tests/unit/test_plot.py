"""``dacapo.plot.plot_runs``: the PNG and the data its axes hold, on the stats of
tiny trained runs (trained once for the module) and on hand-made stats."""

from __future__ import annotations

import logging
import struct

import matplotlib.colors as mcolors
import numpy as np
import pytest
import yaml

from dacapo._build import build
from dacapo.errors import ConfigError, NoSuchNameError
from dacapo.experiments import Run, TrainingIterationStats, TrainingStats, ValidationScores
from dacapo.experiments.validation_iteration_scores import ValidationIterationScores
from dacapo.plot import plot_runs, smooth_values
from dacapo.store.create_store import create_config_store, create_stats_store
from dacapo.train import train_run
from tests._validation_runs import DATASET, F1, VOI, distance_run_config, synthetic_container

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained_options(tmp_path_factory):
    """Options of a runs directory holding run ``validated`` (20 iterations,
    validated at 10 and 20) and run ``unvalidated`` (20 iterations, never
    validated)."""
    base = tmp_path_factory.mktemp("plot_runs")
    options = base / "dacapo.yaml"
    options.write_text(yaml.safe_dump({"runs_base_dir": str(base / "runs"), "tensorboard": False}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DACAPO_OPTIONS_FILE", str(options))
        container = synthetic_container(base)
        for name, validate in (("validated", True), ("unvalidated", False)):
            config = distance_run_config(container, name=name, num_iterations=20)
            create_config_store().store_run_config(config)
            train_run(Run(config), do_validate=validate)
    return options


@pytest.fixture
def trained(trained_options, monkeypatch):
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(trained_options))


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def axes_titled(figure, title):
    (axes,) = [a for a in figure.axes if a.get_title() == title]
    return axes


def line(axes, label):
    (found,) = [li for li in axes.get_lines() if li.get_label() == label]
    return found


def best_over_parameters(name, criterion, higher):
    """[iteration] -> best stored score of ``criterion`` over the parameter sets."""
    records = create_stats_store().retrieve_validation_iteration_scores(name)
    criteria = Run.get_validation_scores(create_config_store().retrieve_run_config(name)).criteria
    scores = np.array([r.scores for r in records])[:, 0, :, criteria.index(criterion)]
    return [r.iteration for r in records], (scores.max(1) if higher else scores.min(1))


def test_plot_of_trained_runs_is_a_png_of_the_losses_and_every_criterion(trained, tmp_path):
    output = tmp_path / "plots" / "runs.png"
    figure = plot_runs(["validated", "unvalidated"], output=output)
    width, height = png_size(output)
    assert (width, height) == (1600, 2250) and output.stat().st_size > 50_000
    assert [p.name for p in output.parent.iterdir()] == ["runs.png"]  # no temporary left
    criteria = Run.get_validation_scores(
        create_config_store().retrieve_run_config("validated")).criteria
    assert len(figure.axes) == 1 + len(criteria)
    assert [a.get_title() for a in figure.axes[1:3]] == [f"{VOI} ↓", f"{F1} ↑"]  # kept first


def test_the_loss_panel_holds_the_stored_losses_of_each_run(trained):
    figure = plot_runs(["validated", "unvalidated"])
    (loss,) = [a for a in figure.axes if a.get_title().startswith("Training loss")]
    for name in ("validated", "unvalidated"):
        stats = create_stats_store().retrieve_training_stats(name).iteration_stats
        raw = line(loss, f"_raw loss {name}")
        assert raw.get_xdata().tolist() == list(range(20))
        np.testing.assert_allclose(raw.get_ydata(), [s.loss for s in stats])
        # 20 iterations are too few to smooth: the bold line is the loss itself
        np.testing.assert_allclose(line(loss, name).get_ydata(), [s.loss for s in stats])
    legend = [t.get_text() for t in loss.get_legend().get_texts()]
    assert legend[:2] == ["validated", "unvalidated (no validation scores)"]
    assert "best iteration" in legend
    assert loss.get_xlabel() == "iteration"


def test_criterion_panels_hold_the_best_score_over_parameters_and_mark_the_best(trained):
    figure = plot_runs(["validated", "unvalidated"])
    (loss,) = [a for a in figure.axes if a.get_title().startswith("Training loss")]
    colour = line(loss, "validated").get_color()
    for criterion, arrow, higher in ((F1, "↑", True), (VOI, "↓", False)):
        axes = axes_titled(figure, f"{criterion} {arrow}")
        curve = line(axes, f"validated {DATASET}")
        iterations, best = best_over_parameters("validated", criterion, higher)
        assert curve.get_xdata().tolist() == iterations == [10, 20]
        np.testing.assert_allclose(curve.get_ydata(), best)
        star = line(axes, f"_best validated {DATASET}")
        position = int(np.argmax(best) if higher else np.argmin(best))
        assert star.get_marker() == "*"
        assert star.get_xdata().tolist() == [iterations[position]]
        assert mcolors.same_color(curve.get_color(), colour)  # one colour per run
        assert not any("unvalidated" in li.get_label() for li in axes.get_lines())
    assert not mcolors.same_color(line(loss, "unvalidated").get_color(), colour)


def test_a_criterion_can_be_chosen_per_run(trained):
    figure = plot_runs(["validated", "unvalidated"], validation_scores=[F1, None],
                       plot_losses=[True, False])
    assert [a.get_title() for a in figure.axes[1:]] == [f"{F1} ↑"]
    (loss,) = [a for a in figure.axes if a.get_title().startswith("Training loss")]
    assert [li.get_label() for li in loss.get_lines()] == ["_raw loss validated", "validated"]


# ---------------------------------------------------------- hand-made stats ---


@pytest.fixture
def stored_run(runs_base_dir, tmp_path):
    """Run ``made``: 400 iterations of a loss falling over two decades; validated
    at 100..400 with ``voi`` lowest at 200 and ``f1`` highest at 300. Its
    datasplit names a container that does not exist."""
    config = distance_run_config(tmp_path / "gone.zarr", name="made", num_iterations=400)
    create_config_store().store_run_config(config)
    rng = np.random.default_rng(0)
    losses = 10 * np.exp(-np.arange(400) / 60) * (1 + 0.1 * rng.random(400))
    stats = TrainingStats([TrainingIterationStats(i, float(v), 0.1) for i, v in enumerate(losses)])
    create_stats_store().store_training_stats("made", stats)
    task = build(config.task_config)  # not Run: its datasplit cannot be opened
    scores = ValidationScores(task.parameters, ["crop"], task.evaluation_scores)
    criteria, parameters = scores.criteria, len(scores.parameters)
    for iteration, (voi, f1) in zip((100, 200, 300, 400), ((0.5, 0.2), (0.1, 0.5), (0.3, 0.9),
                                                            (0.4, 0.8))):
        values = np.full((1, parameters, len(criteria)), 0.5)
        values[0, :, criteria.index(VOI)] = voi + np.linspace(0, 1, parameters)
        values[0, :, criteria.index(F1)] = f1 - np.linspace(0, 0.1, parameters)
        scores.scores.append(ValidationIterationScores(iteration, values.tolist()))
    create_stats_store().store_validation_iteration_scores("made", scores)
    return losses


def test_long_losses_are_smoothed_and_drawn_on_a_log_scale_over_decades(stored_run, caplog):
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        figure = plot_runs("made", smooth=100)
    loss = figure.axes[0]
    smoothed = line(loss, "made")
    window = 400 // 20
    np.testing.assert_allclose(smoothed.get_ydata(), smooth_values(stored_run, window)[0])
    np.testing.assert_allclose(smoothed.get_xdata(), np.arange(400 - window + 1) + 9.5)
    assert loss.get_yscale() == "log"
    assert "moving mean of 20 iterations" in loss.get_title()
    # the datasplit cannot be opened: the dataset is numbered, with a warning
    assert line(axes_titled(figure, f"{F1} ↑"), "made dataset 0")
    assert "cannot open the datasplit of run 'made'" in caplog.text


def test_a_few_outliers_do_not_make_the_loss_scale_logarithmic(runs_base_dir, tmp_path):
    create_config_store().store_run_config(distance_run_config(tmp_path, name="flat"))
    losses = np.full(100, 0.5)
    losses[[10, 50]] = 0.01, 20.0
    stats = TrainingStats([TrainingIterationStats(i, float(v), 0.1) for i, v in enumerate(losses)])
    create_stats_store().store_training_stats("flat", stats)
    assert plot_runs("flat", smooth=1).axes[0].get_yscale() == "linear"


def test_best_iteration_follows_each_criterions_direction(stored_run):
    figure = plot_runs("made")
    voi, f1 = axes_titled(figure, f"{VOI} ↓"), axes_titled(figure, f"{F1} ↑")
    assert line(voi, "made dataset 0").get_ydata().tolist() == pytest.approx([0.5, 0.1, 0.3, 0.4])
    assert line(voi, "_best made dataset 0").get_xdata().tolist() == [200]
    assert line(f1, "made dataset 0").get_ydata().tolist() == pytest.approx([0.2, 0.5, 0.9, 0.8])
    assert line(f1, "_best made dataset 0").get_xdata().tolist() == [300]


def test_higher_is_betters_overrides_the_direction(stored_run):
    figure = plot_runs("made", validation_scores=[[VOI, F1]], higher_is_betters=True)
    voi = axes_titled(figure, f"{VOI} ↑")
    # the best over parameters is now the largest voi of each iteration
    assert line(voi, "made dataset 0").get_ydata().tolist() == pytest.approx([1.5, 1.1, 1.3, 1.4])
    assert line(voi, "_best made dataset 0").get_xdata().tolist() == [100]


def test_a_run_without_stats_says_so(runs_base_dir, tmp_path):
    create_config_store().store_run_config(distance_run_config(tmp_path, name="fresh"))
    figure = plot_runs(["fresh"])
    assert len(figure.axes) == 1
    assert "no training loss stored (or asked for)" in [t.get_text() for t in figure.axes[0].texts]


# ---------------------------------------------------------------- errors ---


def test_an_unknown_run_is_named(runs_base_dir):
    with pytest.raises(NoSuchNameError, match="plot_runs: no run config named 'nope'"):
        plot_runs(["nope"])


def test_an_unknown_criterion_lists_the_known_ones(stored_run):
    with pytest.raises(ConfigError, match=r"run 'made' has no validation criteria \['f1'\]; "
                                          r"its criteria are \['cell__dice'"):
        plot_runs("made", validation_scores="f1")


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"run_config_base_names": []}, "must name at least one run"),
        ({"smooth": 0}, "plot_runs: `smooth` must be an integer >= 1, got 0"),
        ({"plot_losses": ["no"]}, r"plot_runs: `plot_losses\[0\]` must be True or False, got 'no'"),
        ({"validation_scores": [[1]]}, "`validation_scores` of run 'made' must be a criterion name"),
        ({"plot_losses": [True, False]}, r"`plot_losses` must give one entry per run \(1 runs\)"),
        ({"validation_scores": [VOI, F1]}, r"nest them: \[\['a', 'b'\]\]"),
        ({"higher_is_betters": "yes"}, "`higher_is_betters` must give one entry per run"),
        ({"output": "runs.jpg"}, r"`output` 'runs.jpg' must end in .png, .svg, .pdf"),
    ],
)
def test_bad_arguments_are_refused(stored_run, arguments, message):
    arguments = {"run_config_base_names": ["made"], **arguments}
    with pytest.raises(ConfigError, match=message):
        plot_runs(**arguments)
