"""Config values are checked when a config is made, when it is stored and when
it is read back; checks that read files wait for ``validate()``.

The contract suite (``tests/contracts/test_config_value_checks.py``) tries
out-of-range values on every config class; this module covers the layers
around it: construction without the data, the store and the converter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dacapo.errors import ArrayNotFoundError, ConfigError
from dacapo.experiments.architectures import WrappedArchitectureConfig
from dacapo.experiments.datasplits.datasets.arrays import TiffArrayConfig, ZarrArrayConfig
from dacapo.experiments.tasks import DistanceTaskConfig, PretrainedTaskConfig
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers.gp_augments import ElasticAugmentConfig
from dacapo.store.file_config_store import FileConfigStore
from tests._validation_runs import distance_run_config

# --- when made -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ElasticAugmentConfig([4, 4], [1.0, 1.0], (0, 99)),
         r"^ElasticAugmentConfig: `rotation_interval` must be in radians, within \[-2 pi, 2 pi\], "
         r"got \(0, 99\); .* for degrees write \(0, math.radians\(90\)\)"),
        (lambda: ElasticAugmentConfig([4, 4], [1.0, 1.0], (-7.0, 0.0)),
         r"`rotation_interval` must be in radians"),
        (lambda: DistanceTaskConfig("d", ["mito"], 40.0, 10.0, scale_factor=-1),
         r"^DistanceTaskConfig 'd': `scale_factor` must be a finite number > 0, got -1"),
        (lambda: GunpowderTrainerConfig("gp", 0, 1e-4),
         r"^GunpowderTrainerConfig 'gp': `batch_size` must be an integer >= 1, got 0"),
        (lambda: GunpowderTrainerConfig("gp", 2, 1e-4, sample_strategy="anywhere"),
         r"'anywhere' ignores the mask but `min_masked` is 0.15; set min_masked=0"),
        (lambda: ZarrArrayConfig("z", "later.zarr", "raw", snap_to_grid=(8, -8)),
         r"^ZarrArrayConfig 'z': `snap_to_grid` must be positive integers .*got \(8, -8\)"),
        (lambda: TiffArrayConfig("t", "later.tif", (0, 0), (4, 4), ["z", "y", "x"]),
         r"^TiffArrayConfig 't': offset \(0, 0\) has 2 entries but axis_names \['z', 'y', 'x'\] "
         r"have 3 spatial axes"),
        (lambda: WrappedArchitectureConfig("w", "net.pt", 1, 1, (8, 8), scale=(0, 2)),
         r"^WrappedArchitectureConfig 'w': `scale` must be integers >= 1, one per axis"),
    ],
)
def test_values_are_refused_when_made(make, match):
    with pytest.raises(ConfigError, match=match):
        make()


def test_configs_naming_files_that_do_not_exist_yet_are_made(tmp_path):
    # the file checks wait for validate(): the data or weights may come later
    configs = [
        ZarrArrayConfig("z", tmp_path / "later.zarr", "raw", snap_to_grid=(8, 8)),
        TiffArrayConfig("t", tmp_path / "later.tif", (0, 0), (4, 4), ["y", "x"]),
        PretrainedTaskConfig("p", DistanceTaskConfig("d", ["a"], 1.0, 1.0), tmp_path / "w.pt"),
        WrappedArchitectureConfig("w", tmp_path / "net.pt", 1, 1, (8, 8)),
    ]
    for config in configs:
        ok, reason = config.verify()
        assert not ok and "does not exist" in reason
    with pytest.raises(ArrayNotFoundError, match=r"container .*later.zarr does not exist"):
        configs[0].validate()


def test_making_configs_imports_no_heavy_package():
    code = (
        "import sys\n"
        "from dacapo.experiments.tasks import DistanceTaskConfig\n"
        "from dacapo.experiments.trainers import GunpowderTrainerConfig\n"
        "from dacapo.experiments.trainers.gp_augments import ElasticAugmentConfig\n"
        "from dacapo.experiments.architectures import CNNectomeUNetConfig\n"
        "from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig\n"
        "before = set(sys.modules)\n"
        "DistanceTaskConfig('d', ['a'], 1.0, 1.0)\n"
        "GunpowderTrainerConfig('g', 2, 1e-4, augments=[ElasticAugmentConfig([4], [1.0], (0, 1))])\n"
        "CNNectomeUNetConfig('u', (36, 36), 2, 1, 2, 2, [(2, 2)])\n"
        "ZarrArrayConfig('z', 'missing.zarr', 'raw', snap_to_grid=(4, 4))\n"
        "print(sorted(m for m in ('torch', 'gunpowder') if m in sys.modules))\n"
        "heavy = {'torch', 'zarr', 'gunpowder', 'tifffile', 'neuclease'}\n"
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} & heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, imported_when_made = out.stdout.strip().splitlines()
    assert heavy == "[]" and imported_when_made == "[]"


# --- when stored and read back ------------------------------------------------------


def test_an_array_config_changed_after_it_was_made_is_not_stored(tmp_path):
    # array configs are checked in value (not against their files) when stored
    config = ZarrArrayConfig("z", tmp_path / "later.zarr", "raw")
    config.snap_to_grid = (0, 4)
    store = FileConfigStore(tmp_path / "configs")
    with pytest.raises(ConfigError, match=r"cannot store .*`snap_to_grid` must be positive"):
        store.store_array_config(config)
    assert list((tmp_path / "configs").rglob("*.yaml")) == []


def _stored_file(root: Path, name: str) -> Path:
    (path,) = [p for p in root.rglob("*.yaml") if p.stem == name]
    return path


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda data: data["trainer_config"].update(batch_size=0),
         r"GunpowderTrainerConfig 'gp': `batch_size` must be an integer >= 1, got 0"),
        (lambda data: data["task_config"].update(scale_factor=-1.0),
         r"DistanceTaskConfig 'cells': `scale_factor` must be a finite number > 0, got -1.0"),
        (lambda data: data["trainer_config"].update(augments=[{
            "__type__": "GammaAugmentConfig", "gamma_range": [2.0, 0.5]}]),
         r"GunpowderTrainerConfig 'gp', field 'augments': GammaAugmentConfig: `gamma_range`"),
        (lambda data: data.update(validation_interval=0),
         r"RunConfig 'r1': `validation_interval` must be an integer >= 1, got 0"),
    ],
)
def test_an_out_of_range_stored_config_is_refused_when_read(tmp_path, edit, match):
    store = FileConfigStore(tmp_path / "configs")
    store.store_run_config(distance_run_config(tmp_path / "data.zarr", name="r1"))
    path = _stored_file(tmp_path / "configs", "r1")
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=match) as error:
        store.retrieve_run_config("r1")
    assert "r1" in str(error.value) and str(path.name) in str(error.value)
