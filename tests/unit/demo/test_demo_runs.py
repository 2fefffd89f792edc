"""The demo's run configs, the prediction window they use, and how a finished
volume is recognised and where its workers run."""

from __future__ import annotations

import doctest

import attr
import pytest

from dacapo._demo import report, runs
from dacapo._demo.layout import DemoLayout
from dacapo._demo.runs import RUNS, eval_increase, run_configs
from dacapo._demo.settings import DemoSettings
from dacapo._demo.volume import VolumeResult, _compute_context
from dacapo.compute_context import LocalTorch


@pytest.mark.parametrize("module", [runs, report])
def test_docstring_examples_run(module):
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize("volume_size", [48, 49, 64, 100, 140, 256, 1000])
def test_the_prediction_window_fits_the_volume_and_is_a_valid_shape(volume_size):
    increase = eval_increase(volume_size)
    assert 0 <= increase <= 100 and increase % 4 == 0
    assert 28 + increase <= volume_size - 16  # one window fits the volume's output


def test_the_configs_validate_and_follow_the_settings(tmp_path):
    settings = DemoSettings(iterations=30, volume_size=64)
    configs = run_configs(DemoLayout(tmp_path), settings)
    assert list(configs) == list(RUNS)
    for name, config in configs.items():
        config.validate()
        assert config.name == name and config.num_iterations == 30
        assert config.validation_interval == 10
        assert config.datasplit_config.path == tmp_path / "demo" / "data.zarr"
        assert config.datasplit_config.gt_name == RUNS[name][0]
        assert tuple(config.architecture_config.eval_shape_increase) == (20, 20, 20)


def test_a_record_is_a_result_only_when_complete():
    record = dict(run_name="demo_mito", iteration=2, criterion="mito__f1_score",
                  parameters="threshold_0.1", prediction="p", output="o", scores={"a": 1.0})
    assert VolumeResult.from_record(record) == VolumeResult(**record)
    assert attr.asdict(VolumeResult(**record)) == record
    assert VolumeResult.from_record({"run_name": "demo_mito"}) is None
    assert VolumeResult.from_record(None) is None


def test_several_local_workers_run_as_processes(runs_base_dir):
    assert _compute_context(1) == LocalTorch()
    assert _compute_context(2) == LocalTorch(distribute_workers=True)
