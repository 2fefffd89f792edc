"""Where the demo keeps things, and starting over removes only the demo's."""

from __future__ import annotations

import logging

import attr

from dacapo._demo.layout import DemoLayout, read_json, remove_demo, write_json
from dacapo._demo.runs import run_configs
from dacapo._demo.settings import DemoSettings
from dacapo._demo.workflow import _prepare
from dacapo.experiments import TrainingIterationStats, TrainingStats
from dacapo.store.create_store import create_config_store, create_stats_store
from tests._validation_runs import tiny_3d_run_config


def _stats() -> TrainingStats:
    stats = TrainingStats()
    stats.add_iteration_stats(TrainingIterationStats(iteration=0, loss=1.0, time=0.1))
    return stats


def test_paths_are_below_the_runs_base_dir(tmp_path):
    layout = DemoLayout(tmp_path)
    assert layout.root == tmp_path / "demo"
    assert layout.volume == tmp_path / "demo" / "volume.zarr"
    assert layout.result("demo_cells") == tmp_path / "demo" / "outputs" / "demo_cells.json"


def test_removing_the_demo_keeps_other_runs(runs_base_dir, tmp_path):
    config_store, stats_store = create_config_store(), create_stats_store()
    for name in ("demo_mito", "other"):
        config_store.store_run_config(tiny_3d_run_config(tmp_path, name=name))
        stats_store.store_training_stats(name, _stats())
        (runs_base_dir / name / "checkpoints").mkdir(parents=True)
    layout = DemoLayout(runs_base_dir)
    write_json(layout.settings, DemoSettings().to_dict())
    remove_demo(layout)
    remove_demo(layout)  # nothing left to remove: no error
    assert config_store.retrieve_run_config_names() == ["other"]
    assert stats_store.retrieve_training_stats("demo_mito").trained_until() == 0
    assert stats_store.retrieve_training_stats("other").trained_until() == 1
    assert not (runs_base_dir / "demo_mito").exists() and not layout.root.exists()
    assert (runs_base_dir / "other" / "checkpoints").is_dir()
    assert [p.name for p in runs_base_dir.iterdir() if p.name.startswith(".")] == []


def test_other_settings_or_fresh_start_over_and_are_recorded(runs_base_dir):
    layout = DemoLayout(runs_base_dir)
    marker = layout.root / "data.zarr"

    def prepare(settings: DemoSettings, fresh: bool = False) -> bool:
        marker.mkdir(parents=True, exist_ok=True)
        configs = run_configs(layout, settings)
        _prepare(layout, settings, configs, fresh)
        assert DemoSettings.from_dict(read_json(layout.settings)) == settings
        assert create_config_store().retrieve_run_config("demo_cells") == configs["demo_cells"]
        return not marker.exists()  # whether it started over

    assert prepare(DemoSettings()) is True  # a demo folder without settings
    assert prepare(DemoSettings()) is False
    assert prepare(DemoSettings(iterations=3)) is True
    assert prepare(DemoSettings(iterations=3), fresh=True) is True
    assert prepare(DemoSettings(iterations=3)) is False


def test_runs_stored_with_other_configs_start_over(runs_base_dir, caplog):
    layout = DemoLayout(runs_base_dir)
    settings = DemoSettings(iterations=3)
    configs = run_configs(layout, settings)
    _prepare(layout, settings, configs, fresh=False)
    (layout.root / "data.zarr").mkdir()
    changed = dict(configs, demo_mito=attr.evolve(configs["demo_mito"], num_iterations=5))
    with caplog.at_level(logging.INFO, logger="dacapo"):
        _prepare(layout, settings, changed, fresh=False)
    assert "its runs were stored with other configs" in caplog.text
    assert not (layout.root / "data.zarr").exists()
    assert create_config_store().retrieve_run_config("demo_mito").num_iterations == 5


def test_unreadable_json_is_none(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    assert read_json(tmp_path / "bad.json") is None
    assert read_json(tmp_path / "missing.json") is None
